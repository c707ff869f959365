/**
 * The fleet's own numbers on /metrics, fleet-wide: workers by state and health with cost, turns
 * and tokens, the spawn queue, tasks by status, chat messages and mail, events by type. And the
 * whole exposition passes `promtool check metrics` with no findings (Debian's prometheus package
 * provides promtool; `.ci/run` puts it in .cache/promtool; without it the check is skipped, in CI
 * it fails).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { callTool, fakeAgentWorkers, registerAgent, startFleet, waitFor } from '../../test/kit/index.js';

const ROOT = resolve(import.meta.dirname, '../..');

function findPromtool(): string | undefined {
  const candidates = [
    process.env.FLEET_PROMTOOL,
    join(ROOT, '.cache', 'promtool', 'usr', 'bin', 'promtool'),
    ...(process.env.PATH ?? '').split(':').map((dir) => join(dir, 'promtool')),
  ];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

/** `promtool check metrics` reads the exposition on stdin; findings come on its output, and exit 1. */
function promtoolCheck(promtool: string, text: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = execFile(promtool, ['check', 'metrics'], { timeout: 30_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}`.trim() }),
    );
    child.stdin!.end(text);
  });
}

/** Sample values by `name{labels}` as written (labels in prom-client's order). */
function samples(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}

t.test('domain metrics: workers, queue, tasks, mail and events, fleet-wide', async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, metrics: true, mail: true, tasks: true, workers: fakeAgentWorkers({ max: 1 }) },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const other = await registerAgent(fleet, 'boss', 'beta', 'team-lead');
  const as = (agent: typeof lead, method: string, path: string, body?: unknown) =>
    fleet.request(method, path, { token: agent.token, body });
  const scrape = async () => samples(await (await fetch(`${fleet.url}/metrics`)).text());

  const empty = await scrape();
  t.equal(empty.get('fleet_tasks{status="open"}'), 0, 'no tasks yet');
  t.equal(empty.get('fleet_spawn_queue_depth'), 0);

  for (const subject of ['First task', 'Second task'])
    t.equal((await as(lead, 'POST', '/tasks', { subject })).status, 200);
  const done = await as(other, 'POST', '/tasks', { subject: 'Their task', toHandle: 'boss' });
  t.equal((await as(other, 'PATCH', `/tasks/${done.body.id}`, { status: 'resolved' })).status, 200);
  t.equal((await as(lead, 'POST', '/mail', { to: 'lead', body: 'note to self' })).status, 200);
  t.equal((await as(other, 'POST', '/mail', { to: 'boss', body: 'read me' })).status, 200);
  const inbox = await as(other, 'GET', '/mail/boss');
  t.equal((await as(other, 'POST', `/mail/${inbox.body[0].id}/read`)).status, 200);

  const spawn = (handle: string) =>
    as(lead, 'POST', '/orchestrate/spawn', { handle, workingDir: fleet.dataDir, initialPrompt: 'say hi' });
  t.equal((await spawn('w1')).status, 201);
  t.equal((await spawn('w2')).status, 202, 'the second waits: max is 1');
  await waitFor('w1 idle', async () => {
    const workers = (await as(lead, 'GET', '/orchestrate/workers')).body as { handle: string; state: string }[];
    return workers.find((w) => w.handle === 'w1' && w.state === 'idle');
  });
  const broadcast = await as(lead, 'POST', '/teams/alpha/broadcast', { text: 'standup in 5' });
  t.equal(broadcast.status, 200);
  t.notOk((await callTool(fleet, lead, 'team_status')).isError);

  // Live workers are read at most once a second: a scrape within a second of an earlier one may still
  // show w1 as it was then.
  const now = await waitFor('a scrape with w1 idle', async () => {
    const scraped = await scrape();
    return scraped.get('fleet_workers{state="idle"}') === 1 ? scraped : undefined;
  });
  t.equal(now.get('fleet_tasks{status="open"}'), 2, 'tasks of every team, by status');
  t.equal(now.get('fleet_tasks{status="resolved"}'), 1);
  t.equal(now.get('fleet_workers{state="idle"}'), 1, 'workers by state');
  t.equal(now.get('fleet_workers{state="working"}'), 0);
  t.equal(now.get('fleet_workers_health{health="healthy"}'), 1);
  t.equal(now.get('fleet_spawn_queue_depth'), 1, 'the queued spawn');
  t.equal(now.get('fleet_mail{read="false"}'), 1, 'unread mail');
  t.equal(now.get('fleet_mail{read="true"}'), 1, 'read mail');
  t.equal(now.get('fleet_chat_messages'), 1, 'the broadcast (a task one assigns to oneself sends no DM)');
  t.ok(
    (now.get('fleet_workers_cost_usd') ?? 0) > 0,
    `cost reported by the agent: ${now.get('fleet_workers_cost_usd')}`,
  );
  t.ok((now.get('fleet_workers_turns') ?? 0) >= 1, 'turns');
  t.ok((now.get('fleet_workers_tokens{kind="output"}') ?? 0) > 0, 'output tokens');
  t.equal(now.get('fleet_events_published_total{type="task_created"}'), 3, 'events by type, of every team');
  t.ok((now.get('fleet_events_published_total{type="worker_state"}') ?? 0) >= 2, 'worker events too');
  t.equal(now.get('fleet_events_missed_total'), 0, 'none missed');
  t.notOk(
    [...now.keys()].some((key) => /alpha|beta|w1|lead|boss/.test(key)),
    'no team, agent or worker in labels',
  );
});

t.test('events are counted even past the spine ring, the overflow as missed', async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, metrics: true, mail: true, tasks: true },
    config: { events: { ringCapacity: 10 }, server: { rateLimit: { max: 1_000_000 } } },
  });
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  for (let i = 0; i < 25; i++) {
    const created = await fleet.request('POST', '/tasks', { token: lead.token, body: { subject: `Task ${i}` } });
    t.equal(created.status, 200);
  }
  const now = samples(await (await fetch(`${fleet.url}/metrics`)).text());
  const counted = now.get('fleet_events_published_total{type="task_created"}') ?? 0;
  const missed = now.get('fleet_events_missed_total') ?? 0;
  t.ok(counted >= 10, `${counted} counted`);
  t.equal(counted + missed, 25, `every event is counted or missed (${missed} missed)`);
});

const promtool = findPromtool();
// Without promtool the check is skipped with a note, except in CI, which installs it: there it fails.
const skip =
  !promtool && process.env.CI !== 'true'
    ? 'promtool is not installed (.ci/run extracts it from Debian’s prometheus package into .cache/promtool)'
    : false;

t.test('promtool check metrics finds nothing to say', { skip }, async (t) => {
  t.ok(promtool, 'promtool is installed (CI installs it)');
  if (!promtool) return;
  const fleet = await startFleet(t, {
    plugins: { auth: true, metrics: true, mail: true, tasks: true, workers: fakeAgentWorkers() },
  });
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  t.equal((await fleet.request('POST', '/tasks', { token: lead.token, body: { subject: 'Some task' } })).status, 200);
  t.equal((await fleet.request('GET', '/nope')).status, 404);
  const text = await (await fetch(`${fleet.url}/metrics`)).text();
  const { code, output } = await promtoolCheck(promtool, text);
  t.equal(output, '', 'no findings');
  t.equal(code, 0, 'promtool passes');
});
