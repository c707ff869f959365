/**
 * `fleet mcp install` as a lead runs it: from a project dir that is not the checkout, with `fleet`
 * on the PATH through `npm link`, against a real fleet. It must find the fleet's data dir, check
 * the fleet with real requests, say what is wrong in one line (writing nothing), merge into
 * .mcp.json and .claude/settings.local.json, and leave an entry that works whatever the PATH.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import t, { type Test } from 'tap';
import {
  type CliResult,
  FLEET_BIN,
  freePort,
  REPO_ROOT,
  runFleetCli,
  runProgram,
  startFleet,
  type TestFleet,
  type TestLike,
  tempDir,
} from '../kit/index.js';

const baseEnv = (home: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  ...extra,
});

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
const lineCount = (text: string) => text.split('\n').filter(Boolean).length;

/** A fleet with the plugins a lead's tools need. */
const leadFleet = (t: TestLike) => startFleet(t, { plugins: { auth: true, mail: true, tasks: true } });

/** Start the server exactly as Claude Code would from the .mcp.json entry, and ask it for team_status. */
async function teamStatusThroughEntry(t: Test, project: string, name = 'fleet') {
  const entry = readJson(join(project, '.mcp.json')).mcpServers[name];
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    // A bare PATH: the entry must not depend on where `fleet` was linked.
    env: { PATH: '/usr/bin:/bin', HOME: project, ...entry.env },
    cwd: project,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'mcp-install-test', version: '1.0.0' });
  t.teardown(() => client.close());
  await client.connect(transport).catch((error: Error) => {
    throw new Error(`${error.message}; server stderr: ${stderr}`);
  });
  const result = (await client.callTool({ name: 'team_status', arguments: {} })) as {
    content: { text: string }[];
    isError?: boolean;
  };
  t.notOk(result.isError, `team_status through the entry: ${result.content[0]?.text}`);
  return JSON.parse(result.content[0]!.text) as { team: string; you: { handle: string; agentType: string } };
}

/** The README's lead setup: the first sh block under "### A lead in your own project". */
function readmeLeadSetup(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.indexOf('### A lead in your own project');
  if (section < 0) throw new Error('README.md has no "### A lead in your own project" section');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(section));
  if (!block) throw new Error('the lead setup section has no sh block');
  return block[1]!
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

t.test("the README's lead setup works verbatim from a project that is not the checkout", async (t) => {
  const fleet = await leadFleet(t);
  const home = tempDir(t, 'fleet-lead-home-');
  const prefix = tempDir(t, 'fleet-npm-prefix-');
  const project = tempDir(t, 'fleet-lead-project-');
  // `npm link` puts `fleet` into this private prefix, never the machine's global one. Install
  // scripts are off: they would rebuild the checkout's bundles under the feet of other tests.
  const npmEnv = baseEnv(home, {
    npm_config_prefix: prefix,
    npm_config_ignore_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  });
  // The fleet as the README's "try it" runs it: its own data dir and port, given to install the same way.
  const fleetEnv = { FLEET_DATA_DIR: fleet.dataDir, PORT: new URL(fleet.url).port };
  const linkedPath = `${join(prefix, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  let cwd = REPO_ROOT;
  const commands = readmeLeadSetup();
  t.same(
    commands.map((line) => line.split(' ')[0]),
    ['npm', 'cd', 'fleet'],
    `the setup is npm link, cd, fleet mcp install (${commands.join(' ; ')})`,
  );
  let install: CliResult | undefined;
  for (const line of commands) {
    const [program, ...args] = line.split(/\s+/);
    if (program === 'cd') {
      t.not(cwd, project);
      cwd = project; // the README's ~/my-project
    } else if (program === 'npm') {
      t.same(args, ['link'], 'npm link, nothing more');
      const linked = await runProgram('npm', args, { cwd, env: npmEnv });
      t.equal(linked.code, 0, `npm link: ${linked.stderr}`);
      t.ok(lstatSync(join(prefix, 'bin', 'fleet')).isSymbolicLink(), 'fleet is linked into the prefix');
    } else if (program === 'fleet') {
      install = await runProgram(program, args, { cwd, env: { ...baseEnv(home, fleetEnv), PATH: linkedPath } });
    } else {
      t.fail(`the README's lead setup runs ${JSON.stringify(line)}, which this test does not know`);
    }
  }
  t.equal(install?.code, 0, `fleet mcp install from ${project}: ${install?.stderr}`);
  t.match(install?.stdout, /^Checked: the fleet at http:\/\/127\.0\.0\.1:\d+ registered me \(team alpha, team-lead\)/m);
  t.notOk(project.startsWith(REPO_ROOT), 'the project is not inside the checkout');

  const entry = readJson(join(project, '.mcp.json')).mcpServers.fleet;
  t.same(
    { command: entry.command, args: entry.args },
    { command: process.execPath, args: [FLEET_BIN, 'mcp'] },
    'the entry runs node and the checkout’s bin/fleet.mjs by absolute paths, not the link',
  );
  t.match(entry.env, {
    FLEET_URL: fleet.url,
    FLEET_DATA_DIR: fleet.dataDir,
    CLAUDE_CODE_AGENT_NAME: 'me',
    CLAUDE_CODE_TEAM_NAME: 'alpha',
    CLAUDE_CODE_AGENT_TYPE: 'team-lead',
  });
  t.notOk(
    JSON.stringify(entry).includes(fleet.adminKey),
    'the admin key is not in .mcp.json (the entry points at the data dir)',
  );
  t.same(readJson(join(project, '.claude', 'settings.local.json')), {
    permissions: { allow: ['mcp__fleet'] },
    enabledMcpjsonServers: ['fleet'],
  });
  t.match(await teamStatusThroughEntry(t, project), { team: 'alpha', you: { handle: 'me', agentType: 'team-lead' } });
});

t.test('install finds the data dir and URL in the fleet’s config file', async (t) => {
  const fleet = await leadFleet(t);
  const project = tempDir(t, 'fleet-lead-project-');
  const config = join(tempDir(t, 'fleet-config-'), 'fleet.config.ts');
  writeFileSync(
    config,
    `export default { server: { port: ${new URL(fleet.url).port} }, dataDir: ${JSON.stringify(fleet.dataDir)} };\n`,
  );
  const result = await runFleetCli(t, ['mcp', 'install', '--agent', 'cfg', '--config', config], { cwd: project });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, `data dir ${fleet.dataDir}, from ${config}`);
  t.match(readJson(join(project, '.mcp.json')).mcpServers.fleet.env, {
    FLEET_URL: fleet.url,
    FLEET_DATA_DIR: fleet.dataDir,
    CLAUDE_CODE_TEAM_NAME: 'dev-team',
    CLAUDE_CODE_AGENT_TYPE: 'worker',
  });
  t.match(await teamStatusThroughEntry(t, project), { team: 'dev-team', you: { handle: 'cfg', agentType: 'worker' } });
});

t.test('a re-run keeps what it wrote before and everything else in both files', async (t) => {
  const fleet = await leadFleet(t);
  const project = tempDir(t, 'fleet-lead-project-');
  const where = ['--url', fleet.url, '--data-dir', fleet.dataDir];
  const first = await runFleetCli(
    t,
    ['mcp', 'install', '--agent', 'me', '--team', 'blue', '--type', 'team-lead', ...where],
    { cwd: project },
  );
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /^Created .*\.mcp\.json/m);
  const commandLine = first.stdout.split('\n').find((line) => line.trim().startsWith('claude mcp add')) ?? '';
  t.match(
    commandLine,
    /^\s*claude mcp add --scope project fleet -e FLEET_URL=/,
    'prints the claude mcp add equivalent',
  );
  for (const variable of ['CLAUDE_CODE_AGENT_NAME=me', 'CLAUDE_CODE_TEAM_NAME=blue', `FLEET_DATA_DIR=${fleet.dataDir}`])
    t.match(commandLine, ` -e ${variable} `);
  t.ok(commandLine.endsWith(` -- ${process.execPath} ${FLEET_BIN} mcp`), commandLine);

  // Someone else's servers and settings, and a variable the user added to our entry.
  const mcpPath = join(project, '.mcp.json');
  const settingsPath = join(project, '.claude', 'settings.local.json');
  const mcp = readJson(mcpPath);
  const other = { type: 'stdio', command: 'other-server', args: ['--flag'] };
  mcp.mcpServers.other = other;
  mcp.note = 'keep me';
  mcp.mcpServers.fleet.env.DEBUG = 'fleet';
  mcp.mcpServers.fleet.timeout = 5000;
  writeFileSync(mcpPath, JSON.stringify(mcp));
  const settings = readJson(settingsPath);
  settings.permissions.allow.unshift('Bash(npm test)');
  settings.permissions.deny = ['Bash(rm *)'];
  settings.model = 'sonnet';
  writeFileSync(settingsPath, JSON.stringify(settings));

  // No flags at all: the earlier run's agent, team, type, URL and data dir are kept.
  const again = await runFleetCli(t, ['mcp', 'install'], { cwd: project });
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /^Updated .*\.mcp\.json/m);
  t.match(again.stdout, 'already allows mcp__fleet');
  const kept = readJson(mcpPath);
  t.same(kept.mcpServers.other, other, 'another server is kept');
  t.equal(kept.note, 'keep me', 'another top-level key is kept');
  t.equal(kept.mcpServers.fleet.timeout, 5000, 'a key the user added to the entry is kept');
  t.same(
    kept.mcpServers.fleet.env,
    {
      FLEET_URL: fleet.url,
      CLAUDE_FLEET_URL: fleet.url,
      FLEET_DATA_DIR: fleet.dataDir,
      CLAUDE_CODE_AGENT_NAME: 'me',
      CLAUDE_CODE_TEAM_NAME: 'blue',
      CLAUDE_CODE_AGENT_TYPE: 'team-lead',
      DEBUG: 'fleet',
    },
    'every variable kept',
  );
  t.same(
    readJson(settingsPath),
    {
      permissions: { allow: ['Bash(npm test)', 'mcp__fleet'], deny: ['Bash(rm *)'] },
      enabledMcpjsonServers: ['fleet'],
      model: 'sonnet',
    },
    'settings kept, the rule not duplicated',
  );

  // One flag changes one setting.
  const renamed = await runFleetCli(t, ['mcp', 'install', '--agent', 'me2'], { cwd: project });
  t.equal(renamed.code, 0, renamed.stderr);
  t.match(readJson(mcpPath).mcpServers.fleet.env, {
    CLAUDE_CODE_AGENT_NAME: 'me2',
    CLAUDE_CODE_TEAM_NAME: 'blue',
    FLEET_DATA_DIR: fleet.dataDir,
    DEBUG: 'fleet',
  });

  // A second server name gets its own permission rule beside the first.
  const second = await runFleetCli(t, ['mcp', 'install', '--name', 'fleet2', '--agent', 'me3', ...where], {
    cwd: project,
  });
  t.equal(second.code, 0, second.stderr);
  t.same(readJson(settingsPath).permissions.allow, ['Bash(npm test)', 'mcp__fleet', 'mcp__fleet2']);
  t.same(Object.keys(readJson(mcpPath).mcpServers).sort(), ['fleet', 'fleet2', 'other']);
});

t.test('install says in one line what is wrong, and writes nothing', async (t) => {
  const fleet: TestFleet = await leadFleet(t);
  const project = tempDir(t, 'fleet-lead-project-');
  const nothingWritten = (what: string) => {
    t.notOk(existsSync(join(project, '.mcp.json')), `${what}: no .mcp.json`);
    t.notOk(existsSync(join(project, '.claude')), `${what}: no .claude`);
  };
  const expectFailure = async (what: string, args: string[], pattern: RegExp, code = 1) => {
    const result = await runFleetCli(t, ['mcp', 'install', ...args], { cwd: project });
    t.equal(result.code, code, `${what}: exit ${code}`);
    t.equal(lineCount(result.stderr), 1, `${what}: one line (${result.stderr})`);
    t.match(result.stderr, pattern, what);
    t.notMatch(result.stderr, /\n\s+at /, `${what}: no stack`);
    nothingWritten(what);
  };

  await expectFailure('no agent', ['--url', fleet.url, '--data-dir', fleet.dataDir], /--agent <handle> is required/, 2);
  const dead = `http://127.0.0.1:${await freePort()}`;
  await expectFailure(
    'no fleet at the URL',
    ['--agent', 'me', '--url', dead, '--data-dir', fleet.dataDir],
    new RegExp(`no fleet answering at ${dead} \\(ECONNREFUSED\\), the URL from --url: start the fleet`),
  );
  const empty = tempDir(t, 'fleet-empty-data-');
  await expectFailure(
    'no admin key in the data dir',
    ['--agent', 'me', '--url', fleet.url, '--data-dir', empty],
    new RegExp(`admin key not found: ${join(empty, 'admin.key')} does not exist.*pass --data-dir`),
  );
  const other = tempDir(t, 'fleet-other-data-');
  writeFileSync(join(other, 'admin.key'), 'another-fleets-key\n', { mode: 0o600 });
  await expectFailure(
    "another fleet's admin key",
    ['--agent', 'me', '--url', fleet.url, '--data-dir', other],
    new RegExp(
      `the fleet at ${fleet.url} refused the admin key from ${join(other, 'admin.key')} \\(403 Invalid token\\): ` +
        `${other} \\(from --data-dir\\) is another fleet's data dir; pass --data-dir`,
    ),
  );
  await expectFailure('a bad type', ['--agent', 'me', '--type', 'overlord'], /--type: must be worker or team-lead/, 2);
  await expectFailure('a bad name', ['--agent', 'me', '--name', 'no spaces'], /--name: must be/, 2);

  // A broken file is named and left alone; the other file is not written either.
  writeFileSync(join(project, '.mcp.json'), '{ not json');
  const broken = await runFleetCli(
    t,
    ['mcp', 'install', '--agent', 'me', '--url', fleet.url, '--data-dir', fleet.dataDir],
    { cwd: project },
  );
  t.equal(broken.code, 1);
  t.match(broken.stderr, /\.mcp\.json is not valid JSON/);
  t.equal(readFileSync(join(project, '.mcp.json'), 'utf8'), '{ not json', 'a broken .mcp.json is left alone');
  t.notOk(existsSync(join(project, '.claude')), 'settings are not written either');
  writeFileSync(join(project, '.mcp.json'), '{}');
  mkdirSync(join(project, '.claude'));
  writeFileSync(join(project, '.claude', 'settings.local.json'), '{"permissions": {"allow": "mcp__fleet"}}');
  const badSettings = await runFleetCli(
    t,
    ['mcp', 'install', '--agent', 'me', '--url', fleet.url, '--data-dir', fleet.dataDir],
    { cwd: project },
  );
  t.equal(badSettings.code, 1);
  t.match(badSettings.stderr, /settings\.local\.json: permissions\.allow is not a list of strings/);
  t.equal(readFileSync(join(project, '.mcp.json'), 'utf8'), '{}', '.mcp.json is not written either');
});

t.test('--skip-check writes the entry with no fleet running', async (t) => {
  const project = tempDir(t, 'fleet-lead-project-');
  const dataDir = tempDir(t, 'fleet-later-data-');
  const url = `http://127.0.0.1:${await freePort()}`;
  const result = await runFleetCli(
    t,
    ['mcp', 'install', '--agent', 'me', '--url', url, '--data-dir', dataDir, '--skip-check'],
    { cwd: project },
  );
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /^Not checked \(--skip-check\)/m);
  t.match(readJson(join(project, '.mcp.json')).mcpServers.fleet.env, { FLEET_URL: url, FLEET_DATA_DIR: dataDir });
  t.same(readJson(join(project, '.claude', 'settings.local.json')).permissions.allow, ['mcp__fleet']);
});
