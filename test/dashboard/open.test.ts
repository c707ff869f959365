/**
 * `fleet open` through the real CLI against a kit fleet: it prints a one-time link whose code signs
 * in once, as the team's lead `operator`.
 */
import t from 'tap';
import { operatorCli, sleep, startFleet } from '../kit/index.js';

const LINK = /^(http:\/\/127\.0\.0\.1:\d+)\/#code=([A-Za-z0-9_-]{43,})$/;

t.test('fleet open --no-browser prints a link that signs in once, as the operator', async (t) => {
  const fleet = await startFleet(t);
  const cli = operatorCli(t, fleet);
  const run = await cli.run('open', '--no-browser');
  t.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  t.equal(lines.length, 1, 'stdout is the link alone (for scripts)');
  const [, origin, code] = LINK.exec(lines[0]!) ?? [];
  t.equal(origin, fleet.url, 'the link points at the fleet it reached');
  t.ok(code, `a code in the fragment: ${lines[0]}`);
  t.notMatch(run.stderr, new RegExp(code!), 'the code is not repeated on stderr');

  const signedIn = await fleet.request('POST', '/dashboard/sign-in', { body: { code } });
  t.equal(signedIn.status, 200);
  t.match(signedIn.body.identity, { handle: 'operator', teamName: 'alpha', agentType: 'team-lead', isLead: true });
  const me = await fleet.request('GET', '/dashboard/me', { token: signedIn.body.token });
  t.equal(me.body.handle, 'operator');

  const again = await fleet.request('POST', '/dashboard/sign-in', { body: { code } });
  t.equal(again.status, 401, 'the second use is refused');
  t.equal(again.body.code, 'DASHBOARD_CODE_INVALID');

  const other = await operatorCli(t, fleet, { team: 'beta' }).run('open', '--no-browser');
  const [, , betaCode] = LINK.exec(other.stdout.trim()) ?? [];
  const beta = await fleet.request('POST', '/dashboard/sign-in', { body: { code: betaCode } });
  t.equal(beta.body.identity.teamName, 'beta', '--team (here $CLAUDE_CODE_TEAM_NAME) picks the team');
});

t.test('fleet open --ttl: the link expires', async (t) => {
  const fleet = await startFleet(t);
  const run = await operatorCli(t, fleet).run('open', '--no-browser', '--ttl', '1');
  t.equal(run.code, 0, run.stderr);
  const [, , code] = LINK.exec(run.stdout.trim()) ?? [];
  await sleep(1200);
  const late = await fleet.request('POST', '/dashboard/sign-in', { body: { code } });
  t.equal(late.status, 401);
  t.equal(late.body.code, 'DASHBOARD_CODE_INVALID');
});

t.test('fleet open: usage errors exit 2; no fleet exits 1 with a sentence', async (t) => {
  const fleet = await startFleet(t);
  const cli = operatorCli(t, fleet);
  for (const ttl of ['0', '121', 'abc', '1.5']) {
    const run = await cli.run('open', '--no-browser', '--ttl', ttl);
    t.equal(run.code, 2, `--ttl ${ttl}`);
    t.match(run.stderr, /--ttl must be 1–120 seconds/);
  }
  const bad = await cli.run('open', '--team', 'no spaces allowed');
  t.equal(bad.code, 2);
  const help = await cli.run('open', '--help');
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: fleet open/);
  const gone = await cli.run('open', '--no-browser', '--url', 'http://127.0.0.1:9');
  t.equal(gone.code, 1);
  t.match(gone.stderr, /no fleet answering/);
});
