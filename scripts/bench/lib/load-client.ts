/**
 * The load client, run as its own process by load.ts so it never shares an event loop with the
 * server it measures. Argument: a JSON LoadJob. Output: one JSON LoadResult line on stdout.
 * Latencies are collected from each response rather than autocannon's histograms, which round to
 * whole milliseconds (useless for a route that answers in 0.4 ms).
 */
import autocannon from 'autocannon';
import type { LoadJob, LoadResult } from './load.js';
import { percentile } from './percentile.js';

function run(job: LoadJob, seconds: number, latencies?: number[]): Promise<autocannon.Result> {
  return new Promise((resolveRun, reject) => {
    const instance = autocannon(
      {
        url: job.target.url,
        method: job.target.method ?? 'GET',
        headers: job.target.headers,
        body: job.target.body,
        idReplacement: job.target.idReplacement,
        connections: job.connections,
        duration: seconds,
      },
      (error, result) => (error ? reject(error) : resolveRun(result)),
    );
    if (latencies) {
      instance.on('response', (_client, statusCode, _bytes, ms) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
      });
    }
  });
}

const job = JSON.parse(process.argv[2] ?? '') as LoadJob;
// Warm-up (JIT, connection setup, SQLite page cache): its figures are thrown away.
await run(job, job.warmupSeconds);
const latencies: number[] = [];
const result = await run(job, job.seconds, latencies);
const sorted = Float64Array.from(latencies).sort();
const output: LoadResult = {
  name: job.target.name,
  requestsPerSec: result.requests.average,
  p50Ms: percentile(sorted, 50),
  p99Ms: percentile(sorted, 99),
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
};
process.stdout.write(JSON.stringify(output) + '\n');
