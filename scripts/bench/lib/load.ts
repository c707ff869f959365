import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One HTTP request shape to put load on. */
export interface LoadTarget {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Replace `[<id>]` in the body with a fresh id per request (so each write inserts a new row). */
  idReplacement?: boolean;
}

export interface LoadResult {
  name: string;
  requestsPerSec: number;
  /** Latency of 2xx answers, in ms. */
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  seconds: number;
  connections: number;
  /** Default 1 s. */
  warmupSeconds?: number;
}

/** What load-client.ts receives as its one argument. */
export interface LoadJob {
  target: LoadTarget;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

/**
 * Load `target` with autocannon from a separate process (so client and server do not share an
 * event loop): a short warm-up, then `seconds` of keep-alive load over `connections` connections.
 */
export function measure(target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  const job: LoadJob = {
    target,
    seconds: options.seconds,
    warmupSeconds: options.warmupSeconds ?? 1,
    connections: options.connections,
  };
  return new Promise((resolveLoad, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLIENT, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`load client for ${target.name} exited with ${code ?? signal}`));
      try {
        resolveLoad(JSON.parse(line) as LoadResult);
      } catch {
        reject(new Error(`load client for ${target.name} printed no result: ${JSON.stringify(stdout.slice(-200))}`));
      }
    });
  });
}
