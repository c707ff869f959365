import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';

/**
 * What the pane host runs, written by the server into the worker's directory (mode 0600, since
 * the environment holds the worker's token) and read by `fleet pane`. Nothing here passes through
 * a shell: argv is executed as given.
 */
export const spawnSpecSchema = v.object({
  handle: v.string(),
  teamName: v.string(),
  adapter: v.string(),
  argv: v.pipe(v.array(v.string()), v.minLength(1)),
  cwd: v.string(),
  env: v.record(v.string(), v.string()),
  /** ndjson: Claude Code stream-json on stdout, input as stream-json user messages; text: raw lines. */
  format: v.picklist(['ndjson', 'text']),
  initialPrompt: v.optional(v.string()),
  /** Text agents: a line containing this means the agent waits for input (idle); this one, an error. */
  idleMarker: v.optional(v.string()),
  errorMarker: v.optional(v.string()),
  heartbeatMs: v.optional(v.number(), 10_000),
});

export type SpawnSpec = v.InferOutput<typeof spawnSpecSchema>;

export const workerFiles = (dir: string) => ({
  spec: join(dir, 'spawn.json'),
  output: join(dir, 'output.log'),
  stderr: join(dir, 'stderr.log'),
  socket: join(dir, 'host.sock'),
  host: join(dir, 'host.json'),
  exit: join(dir, 'exit.json'),
  mcpConfig: join(dir, 'mcp.json'),
});

export function writeSpawnSpec(dir: string, spec: SpawnSpec): void {
  const path = workerFiles(dir).spec;
  writeFileSync(path, JSON.stringify(spec, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function readSpawnSpec(dir: string): SpawnSpec {
  return v.parse(spawnSpecSchema, JSON.parse(readFileSync(workerFiles(dir).spec, 'utf8')));
}

/** How an agent receives a line of input: Claude Code's stream-json user message, or the text itself. */
export function encodeInput(format: SpawnSpec['format'], text: string): string {
  if (format === 'ndjson') return JSON.stringify({ type: 'user', message: { role: 'user', content: text } }) + '\n';
  return text.replace(/\r?\n/g, ' ') + '\n';
}
