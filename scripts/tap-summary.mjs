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
// Before the counts it lists each failed assertion with its suite file and the first lines of its
// diagnostics, so the tail of a long CI log says what failed without the whole log.
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

/** Failed assertions, deepest first: `{ run, suite, text, diag }`. */
const failures = [];
const MAX_FAILURES = 30;
const DIAG_LINES = 12;
let suite = '';
/** The failure whose YAML diagnostics are being read, and the indent they must be deeper than. */
let reading = null;

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  process.stdout.write(line + '\n');
  if (reading) {
    const indent = line.length - line.trimStart().length;
    if (line.trim() === '...' || (indent <= reading.indent && line.trim() !== '---')) reading = null;
    else if (line.trim() !== '---' && reading.failure.diag.length < DIAG_LINES) reading.failure.diag.push(line.trim());
  }
  const subtest = /^# Subtest: (.+)$/.exec(line);
  if (subtest) suite = subtest[1];
  const notOk = /^(\s*)not ok \d+ - (.*)$/.exec(line);
  if (notOk) {
    const indent = notOk[1].length;
    // A parent's `not ok` follows its failed child at a shallower indent: keep only the leaf.
    const last = failures.at(-1);
    const isParent = last && last.suite === suite && last.indent > indent && last.run === runs.at(-1)?.name;
    if (!isParent && failures.length < MAX_FAILURES) {
      const failure = { run: runs.at(-1)?.name ?? 'tap', suite, indent, text: notOk[2], diag: [] };
      failures.push(failure);
      reading = { failure, indent };
    } else if (isParent) {
      last.indent = indent;
    }
  }
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
if (failures.length > 0) {
  process.stdout.write(
    `# failed assertions (${failures.length}${failures.length === MAX_FAILURES ? ' or more' : ''}):\n`,
  );
  for (const failure of failures) {
    process.stdout.write(`#   [${failure.run}] ${failure.suite}: ${failure.text}\n`);
    for (const diag of failure.diag) process.stdout.write(`#       ${diag}\n`);
  }
}
process.stdout.write(counts(passed, failed, skipped) + '\n');
if (failed > 0) process.exitCode = 1;
