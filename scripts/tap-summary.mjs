// Echo the TAP output of one or more tap runs and end with the plain line CI reads:
// `N passed, N failed[, N skipped]`, the sums over every run.
//
// Each run's counts are tap's own closing `# { total, pass, fail, ... }`. scripts/test.sh runs
// tap once per storage engine and labels each run with a line `# storage: <engine>` before its
// output; a run without its closing summary (tap died) counts as 1 failed. Two more lines it may
// write: `# storage: <engine> skipped (<n> suites): <why>` adds n skipped, and
// `# storage: <engine> failed: <why>` adds 1 failed (the run should have happened but could not).
// The static checks before the runs write `# check: <name> passed|failed`: one test each.
// Unlabelled input (a plain `tap | node scripts/tap-summary.mjs`) is one run, as before.
import { createInterface } from 'node:readline';

/** @type {{ name: string, summary?: Record<string, number> }[]} */
const runs = [];
let extraSkipped = 0;
let extraFailed = 0;
let extraPassed = 0;

const begin = (name) => {
  const run = { name };
  runs.push(run);
  return run;
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  process.stdout.write(line + '\n');
  // Only column 0: tap's own top-level comments, not a test's indented output.
  let match = /^# storage: (\S+)\s*$/.exec(line);
  if (match) {
    begin(match[1]);
  } else if ((match = /^# storage: (\S+) skipped \((\d+) suites?\)/.exec(line))) {
    extraSkipped += Number(match[2]);
  } else if (/^# storage: (\S+) failed\b/.test(line)) {
    extraFailed += 1;
  } else if ((match = /^# check: (\S+) (passed|failed)\s*$/.exec(line))) {
    if (match[2] === 'passed') extraPassed += 1;
    else extraFailed += 1;
  } else if ((match = /^# \{ (.*) \}\s*$/.exec(line))) {
    let run = runs.at(-1);
    // A second summary without a label in between is another run.
    if (!run || run.summary) run = begin(run ? `${run.name}+` : 'tap');
    run.summary = Object.fromEntries(
      match[1]
        .split(',')
        .map((pair) => pair.split(':').map((s) => s.trim()))
        .map(([key, value]) => [key, Number(value)]),
    );
  }
}
if (runs.length === 0) begin('tap');

let passed = extraPassed;
let failed = extraFailed;
let skipped = extraSkipped;
const counts = (p, f, s) => `${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`;
for (const run of runs) {
  if (!run.summary) {
    failed += 1;
    if (runs.length > 1) process.stdout.write(`# ${run.name}: tap ended without its summary: counted as 1 failed\n`);
    continue;
  }
  const runSkipped = (run.summary.skip ?? 0) + (run.summary.todo ?? 0);
  passed += run.summary.pass ?? 0;
  failed += run.summary.fail ?? 0;
  skipped += runSkipped;
  if (runs.length > 1) {
    process.stdout.write(`# ${run.name}: ${counts(run.summary.pass ?? 0, run.summary.fail ?? 0, runSkipped)}\n`);
  }
}
process.stdout.write(counts(passed, failed, skipped) + '\n');
if (failed > 0) process.exitCode = 1;
