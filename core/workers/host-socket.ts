import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The unix socket a pane host listens on. Socket paths are limited to ~107 bytes; a deep data dir
 * falls back to a hashed name in the temp dir. Server and host derive it the same way.
 */
export function hostSocketPath(workerDir: string): string {
  const preferred = join(workerDir, 'host.sock');
  if (Buffer.byteLength(preferred) < 100) return preferred;
  return join(tmpdir(), `fleet-${createHash('sha256').update(workerDir).digest('hex').slice(0, 20)}.sock`);
}

/** Messages between the server (client) and a pane host, one JSON object per line. */
export type HostRequest =
  { type: 'input'; id: number; text: string } | { type: 'stop'; graceMs?: number } | { type: 'ping' };

export type HostMessage =
  | { type: 'hello'; hostPid: number; agentPid: number | undefined; startedAt: number }
  | { type: 'heartbeat'; agentPid: number | undefined; alive: boolean; ts: number }
  | { type: 'ack'; id: number; ok: boolean; error?: string }
  | { type: 'exit'; code: number | null; signal: string | null }
  | { type: 'pong' };
