/**
 * `fleet token` never changes an existing agent's type by default (a lead asked for without --type
 * stays a lead; another type needs --change-type, which ends its old tokens), and `fleet status` and
 * `fleet token` find the fleet and its admin key from fleet.config.ts (port, data dir) as `fleet up`
 * does. The real bin/fleet.mjs against real fleets.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { freePort, runFleetCli, startFleet, startServerProcess, tempDir } from '../kit/index.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
const lines = (text: string) => text.split('\n').filter(Boolean);

t.test('fleet token keeps an existing agent’s type unless --change-type says otherwise', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true } });
  const cwd = tempDir(t, 'fleet-token-');
  const env = { FLEET_URL: fleet.url, FLEET_ADMIN_KEY: fleet.adminKey };
  const token = (...args: string[]) =>
    runFleetCli(t, ['token', '--handle', 'lead', '--team', 'alpha', ...args], { cwd, env });
  const isLead = async (jwt: string) => (await fleet.request('GET', '/debug', { token: jwt })).status;

  const created = await token('--type', 'team-lead');
  t.equal(created.code, 0, created.stderr);
  const lead = created.stdout.trim();
  t.match(claimsOf(lead), { handle: 'lead', teamName: 'alpha', agentType: 'team-lead' });

  const again = await token();
  t.equal(again.code, 0, again.stderr);
  t.match(claimsOf(again.stdout.trim()), { agentType: 'team-lead', role: 'coordinator' }, 'no --type: still a lead');
  t.equal(await isLead(lead), 200, 'and the first token still works');

  const demote = await token('--type', 'worker');
  t.equal(demote.code, 2, 'another type without --change-type is a usage error');
  t.equal(lines(demote.stderr).length, 1, demote.stderr);
  t.match(demote.stderr, /lead of team alpha is a team-lead \(role coordinator\); pass --change-type/);
  t.equal(demote.stdout, '', 'no token');
  t.equal(await isLead(lead), 200, 'refused: the lead is untouched');

  const changed = await token('--type', 'worker', '--change-type');
  t.equal(changed.code, 0, changed.stderr);
  t.match(claimsOf(changed.stdout.trim()), { agentType: 'worker', role: 'worker' });
  const old = await fleet.request('GET', '/debug', { token: lead });
  t.match(old, { status: 401, body: { error: 'Token revoked' } }, 'the old lead token stops working');
  t.equal((await fleet.request('GET', '/teams/alpha/agents', { token: changed.stdout.trim() })).status, 200);

  const badType = await token('--type', 'boss');
  t.equal(badType.code, 2);
  t.match(badType.stderr, /--type must be worker or team-lead \(got "boss"\)/);
  const badRole = await token('--role', 'king', '--change-type');
  t.equal(badRole.code, 2);
  t.equal(lines(badRole.stderr).length, 1, badRole.stderr);
  t.match(badRole.stderr, /role: must be one of/);
});

t.test('fleet status and fleet token read the port and data dir from fleet.config.ts', async (t) => {
  const dir = tempDir(t, 'fleet-config-');
  const port = await freePort();
  const config = { server: { port }, dataDir: 'state', plugins: { auth: true } };
  writeFileSync(join(dir, 'fleet.config.ts'), `export default ${JSON.stringify(config)};\n`);
  await startServerProcess(t, { configFile: 'fleet.config.ts', cwd: dir, port, env: {} });
  const url = `http://127.0.0.1:${port}`;

  // No FLEET_URL, no PORT, no FLEET_DATA_DIR, no admin key in the environment: the config says it all.
  const status = await runFleetCli(t, ['status'], { cwd: dir });
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, new RegExp(`at ${url}: ok, up`), 'the fleet on the config’s port');
  t.match(status.stdout, /counts: {2}agents=0/, 'asked with the admin key from the config’s data dir');

  const token = await runFleetCli(t, ['token', '--handle', 'x', '--team', 't'], { cwd: dir });
  t.equal(token.code, 0, token.stderr);
  t.match(claimsOf(token.stdout.trim()), { handle: 'x', teamName: 't', agentType: 'worker' });

  // From elsewhere, --config names the file (its dataDir is relative to it).
  const elsewhere = tempDir(t, 'fleet-elsewhere-');
  const byFile = await runFleetCli(t, ['status', '--config', join(dir, 'fleet.config.ts')], { cwd: elsewhere });
  t.equal(byFile.code, 0, byFile.stderr);
  t.match(byFile.stdout, /counts: {2}agents=1/);

  const missing = await runFleetCli(t, ['status', '--config', 'nope.config.ts'], { cwd: elsewhere });
  t.equal(missing.code, 1);
  t.equal(lines(missing.stderr).length, 1, missing.stderr);
  t.match(missing.stderr, /nope\.config\.ts: no such config file/);
});
