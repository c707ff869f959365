import { DEFAULT_PORT } from '../config/load-config.js';

/** The fleet a client command talks to: --url, FLEET_URL, the seed's CLAUDE_FLEET_URL, or the default. */
export function fleetUrl(explicit?: string, env: Record<string, string | undefined> = process.env): string {
  const url = explicit ?? env.FLEET_URL ?? env.CLAUDE_FLEET_URL ?? `http://127.0.0.1:${env.PORT ?? DEFAULT_PORT}`;
  return url.replace(/\/+$/, '');
}

/** fetch that turns "nothing is listening" into a sentence. */
export async function fetchFleet(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(10_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`no fleet answering at ${new URL(url).origin} (${cause}); is \`fleet up\` running?`, {
      cause: error,
    });
  }
}
