/**
 * The operator's commands (fleet spawn, workers, logs, send, dismiss) given bad input, their help,
 * and fleet --version. The real bin/fleet.mjs as child processes, against a real fleet running the
 * fake agent in a private tmux server; the CLI holds only the admin key (in its environment).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  type CliResult,
  operatorCli,
  REPO_ROOT,
  runFleetCli,
  startFleet,
  startWorkerFleet,
  tempDir,
} from '../kit/index.js';

const lines = (text: string) => text.split('\n').filter(Boolean);

t.test('fleet --version, -V and the help of each command', async (t) => {
  const cwd = tempDir(t, 'fleet-op-');
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const result = await runFleetCli(t, [flag], { cwd });
    t.same(
      { code: result.code, stdout: result.stdout, stderr: result.stderr },
      { code: 0, stdout: `${version}\n`, stderr: '' },
    );
  }
  const commands = ['workers', 'logs', 'spawn', 'send', 'dismiss'];
  const help = await runFleetCli(t, ['--help'], { cwd });
  const own: CliResult[] = [];
  for (const command of commands) own.push(await runFleetCli(t, [command, '--help'], { cwd }));
  commands.forEach((command, i) => {
    t.match(help.stdout, new RegExp(`^  ${command} `, 'm'), `fleet --help lists ${command}`);
    t.equal(own[i]!.code, 0);
    t.match(own[i]!.stdout, new RegExp(`^Usage: fleet ${command} `), `fleet ${command} --help`);
    t.match(own[i]!.stdout, /act as the team's lead `operator`/, 'says how it acts');
  });
});

t.test('bad input: one line, exit 2 (or 1 for what the fleet does not have), no stack', async (t) => {
  const w = await startWorkerFleet(t);
  const fleet = operatorCli(t, w.fleet);
  const cases: [string[], number, RegExp][] = [
    [['spawn'], 2, /<handle> is required/],
    [['spawn', 'a/b'], 2, /<handle>: must be 1–50 of A-Z a-z 0-9 _ - \(got "a\/b"\)/],
    [['spawn', 'w1', 'w2'], 2, /one worker at a time/],
    [['spawn', 'w1', '--adapter', 'nosuch'], 2, /adapter/],
    [['spawn', 'w1', '--team', 'no team'], 2, /--team: must be/],
    [['send', 'w1'], 2, /<message> is required/],
    [['logs', 'w1', '-n', '0'], 2, /--lines must be a whole number from 1 to 1000/],
    [['logs', 'w1', '--bogus'], 2, /--bogus/],
    [['logs', 'nosuch'], 1, /nosuch/],
    [['dismiss', 'nosuch'], 1, /nosuch/],
    [['send', 'nosuch', 'hello'], 1, /nosuch/],
  ];
  for (const [args, code, pattern] of cases) {
    const result = await fleet.run(...args);
    t.equal(result.code, code, `fleet ${args.join(' ')}: exit ${code}`);
    t.equal(lines(result.stderr).length, 1, result.stderr);
    t.match(result.stderr, pattern);
    t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }

  const noKey = await runFleetCli(t, ['workers'], { cwd: tempDir(t, 'fleet-op-'), env: { FLEET_URL: w.fleet.url } });
  t.equal(noKey.code, 1);
  t.match(noKey.stderr, /no admin key: FLEET_ADMIN_KEY is not set/);
});

t.test('a fleet without the workers plugin says so', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true } });
  const result = await operatorCli(t, fleet).run('workers');
  t.equal(result.code, 1);
  t.equal(lines(result.stderr).length, 1, result.stderr);
  t.match(result.stderr, /does not serve GET \/orchestrate\/workers: is the workers plugin on\?/);
});
