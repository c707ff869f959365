import { availableParallelism } from 'node:os';

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name}: must be a positive number (got ${JSON.stringify(raw)})`);
  return value;
}

/** Seconds each measured target runs: BENCH_SECONDS, default 5. */
export const benchSeconds = (): number => positiveNumber('BENCH_SECONDS', 5);

/** Concurrent connections of the load client: BENCH_CONNECTIONS, default 32. */
export const benchConnections = (): number => Math.round(positiveNumber('BENCH_CONNECTIONS', 32));

/** Said with every result: figures from a client and a server sharing a small machine are relative. */
export function machineNote(): string {
  const cores = availableParallelism();
  return (
    `Node ${process.version}, ${cores} core${cores === 1 ? '' : 's'} ` +
    'shared by the load client and the server: compare rows, not machines.'
  );
}
