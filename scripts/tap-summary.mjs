// Echo tap's TAP output and end with the plain line CI reads: `N passed, N failed[, N skipped]`.
// The counts are tap's own closing `# { total, pass, fail, ... }`; without it (tap died) we say 1 failed.
import { createInterface } from 'node:readline';

let summary;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  process.stdout.write(line + '\n');
  const match = /^# \{ (.*) \}$/.exec(line.trim());
  if (match) {
    summary = Object.fromEntries(match[1].split(',').map((pair) => pair.split(':').map((s) => s.trim())).map(([k, v]) => [k, Number(v)]));
  }
}
if (!summary) {
  process.stdout.write('0 passed, 1 failed\n');
  process.exitCode = 1;
} else {
  const skipped = (summary.skip ?? 0) + (summary.todo ?? 0);
  process.stdout.write(`${summary.pass ?? 0} passed, ${summary.fail ?? 0} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
}
