import { createServer } from 'node:net';

export interface JsonResponse {
  status: number;
  /** The parsed JSON body, the text when it is not JSON, undefined when empty. */
  body: any;
  headers: Headers;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A string is sent as it is (for malformed-body tests); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP request to `url + path`; returns status, parsed body and headers. */
export async function requestJson(
  url: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const response = await fetch(url + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/**
 * A port free right now on 127.0.0.1, for a child process that must be told its port up front
 * (in-process servers should listen on port 0 instead).
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}
