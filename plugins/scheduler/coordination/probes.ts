import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { WorkersApi } from '../../workers/index.js';

export interface HealthCheck {
  name: string;
  passed: boolean;
  detail: string;
}

/** Where `program` resolves on PATH (or itself when it names a path), if it is executable. */
export function findProgram(program: string, path = process.env.PATH ?? ''): string | null {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes('/')) return executable(program) && isAbsolute(program) ? program : null;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (executable(candidate)) return candidate;
  }
  return null;
}

/** The program that is Claude Code for this fleet's workers (their options), else `claude`. */
export function claudeProgram(workers: WorkersApi | undefined): string {
  return workers?.options.claude?.command?.[0] ?? 'claude';
}

/** Each probe answers what it saw; none throws. */
export async function probeAll(workers: WorkersApi | undefined, db: Kysely<unknown>): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  checks.push({
    name: 'workers_plugin',
    passed: workers !== undefined,
    detail: workers ? 'on' : 'off: no worker can be spawned',
  });
  if (workers) {
    try {
      const version = await workers.tmux.version();
      const session = (await workers.tmux.hasSession(workers.session)) ? 'up' : 'not started';
      const detail = `${version} on socket ${workers.tmux.socket}; session ${workers.session} ${session}`;
      checks.push({ name: 'tmux', passed: true, detail });
    } catch (error) {
      checks.push({ name: 'tmux', passed: false, detail: `unreachable: ${(error as Error).message}` });
    }
  } else checks.push({ name: 'tmux', passed: false, detail: 'not checked: the workers plugin is off' });
  const program = claudeProgram(workers);
  const found = findProgram(program);
  checks.push({
    name: 'claude_binary',
    passed: found !== null,
    detail: found ?? `${program} not found on PATH`,
  });
  const started = Date.now();
  try {
    await sql`select 1`.execute(db);
    checks.push({ name: 'database', passed: true, detail: `answered in ${Date.now() - started} ms` });
  } catch (error) {
    checks.push({ name: 'database', passed: false, detail: `no answer: ${(error as Error).message}` });
  }
  return checks;
}
