import t from 'tap';
import { defineErrors, definePlugin } from '../../core/index.js';
import {
  type Agent,
  as,
  callTool,
  registerTeam,
  sleep,
  startCoordination,
  toolJson,
  toolText,
} from '../../test/kit/index.js';
import type { TestLike } from '../../test/kit/index.js';
import type { TaskAdmissionRequest, TasksApi, TeamTask } from './index.js';

// A tiny plugin of this test adds the admission check through the tasks plugin's api, as the
// budgets plugin does: it refuses agents the test names with its own coded error, or fails with a
// plain error when told to, after an optional delay (so claims race across its await).
interface GateState {
  refuse: Set<string>;
  broken: boolean;
  delayMs: number;
  seen: TaskAdmissionRequest[];
  remove?: () => void;
}

const gatekeeperErrors = defineErrors({
  GATEKEEPER_OVER_BUDGET: [409, 'ownerHandle: {handle} is over its budget'],
});

function gatekeeper(state: GateState) {
  return definePlugin({
    name: 'gatekeeper',
    dependsOn: ['tasks'],
    errors: gatekeeperErrors,
    setup(ctx) {
      state.remove = ctx.use<TasksApi>('tasks').addAdmission(async (request) => {
        state.seen.push(request);
        if (state.delayMs > 0) await sleep(state.delayMs);
        if (state.broken) throw new Error('budget store unreachable');
        if (state.refuse.has(request.ownerHandle))
          throw gatekeeperErrors.GATEKEEPER_OVER_BUDGET({ handle: request.ownerHandle }, { field: 'ownerHandle' });
      });
    },
  });
}

async function fleetWithGate(t: TestLike, handles: string[] = ['ann', 'bob']) {
  const state: GateState = { refuse: new Set(), broken: false, delayMs: 0, seen: [] };
  const fleet = await startCoordination(t, {
    plugins: { auth: true, mail: true, tasks: true, gatekeeper: true },
    extraPlugins: [gatekeeper(state)],
  });
  const { lead, workers } = await registerTeam(fleet, 'alpha', handles);
  const tasks = async () => (await as(fleet, lead, 'GET', '/teams/alpha/tasks')).body as TeamTask[];
  const create = (body: Record<string, unknown>) => as(fleet, lead, 'POST', '/tasks', body);
  const claim = (agent: Agent, taskId?: string) =>
    callTool(fleet, agent, 'team_claim', taskId ? { task_id: taskId } : {});
  return { fleet, lead, workers, state, tasks, create, claim };
}

t.test('create with an owner: asked with the id the task will have; a refusal writes nothing', async (t) => {
  const { fleet, lead, workers, state, tasks, create } = await fleetWithGate(t);
  const [ann, bob] = workers as [Agent, Agent];
  state.refuse.add('bob');

  const refused = await create({ subject: 'Fix the build', toHandle: 'bob' });
  t.equal(refused.status, 409);
  t.match(refused.body, { code: 'GATEKEEPER_OVER_BUDGET', error: 'ownerHandle: bob is over its budget' });
  t.equal(refused.body.field, 'ownerHandle');
  t.same(await tasks(), [], 'no task');
  t.same((await as(fleet, bob, 'GET', `/users/${bob.uid}/chats`)).body, [], 'and no assignment DM');
  const viaTool = await callTool(fleet, lead, 'team_assign', { agent: 'bob', task: 'Fix the build' });
  t.ok(viaTool.isError);
  t.match(toolText(viaTool), /^GATEKEEPER_OVER_BUDGET: ownerHandle: bob is over its budget/);
  t.same(await tasks(), []);

  const created = await create({ subject: 'Fix the build', toHandle: 'ann' });
  t.equal(created.status, 200);
  t.match(created.body, { ownerHandle: 'ann' });
  t.same(state.seen.at(-1), { action: 'assign', teamName: 'alpha', taskId: created.body.id, ownerHandle: 'ann' });

  const asked = state.seen.length;
  const unowned = await create({ subject: 'Anyone' });
  t.equal(unowned.status, 200);
  t.equal(state.seen.length, asked, 'an unowned task asks nothing');
  t.match((await as(fleet, ann, 'POST', '/tasks', { subject: 'Mine', toHandle: 'ann' })).body, { ownerHandle: 'ann' });
  t.equal(state.seen.at(-1)?.action, 'assign', 'assigning yourself asks too');
});

t.test('claim with and without an id: asked about the task it would take; a refusal leaves it open', async (t) => {
  const { workers, state, tasks, create, claim } = await fleetWithGate(t);
  const [ann, bob] = workers as [Agent, Agent];
  const first = (await create({ subject: 'first' })).body as TeamTask;
  const second = (await create({ subject: 'second' })).body as TeamTask;
  state.refuse.add('bob');

  const refused = await claim(bob, first.id);
  t.ok(refused.isError);
  t.match(toolText(refused), /^GATEKEEPER_OVER_BUDGET: ownerHandle: bob is over its budget/);
  t.same(state.seen.at(-1), { action: 'claim', teamName: 'alpha', taskId: first.id, ownerHandle: 'bob' });
  const refusedAny = await claim(bob);
  t.match(toolText(refusedAny), /^GATEKEEPER_OVER_BUDGET/);
  t.same(state.seen.at(-1), { action: 'claim', teamName: 'alpha', taskId: first.id, ownerHandle: 'bob' });
  t.ok(
    (await tasks()).every((task) => task.ownerHandle === null && task.status === 'open'),
    'both still open and unowned',
  );

  t.match(toolJson(await claim(ann, second.id)), { id: second.id, ownerHandle: 'ann', status: 'in_progress' });
  t.same(state.seen.at(-1), { action: 'claim', teamName: 'alpha', taskId: second.id, ownerHandle: 'ann' });
  t.match(toolJson(await claim(ann)), { id: first.id, ownerHandle: 'ann' }, 'the oldest ready one');
  t.same(state.seen.at(-1), { action: 'claim', teamName: 'alpha', taskId: first.id, ownerHandle: 'ann' });

  const asked = state.seen.length;
  t.match(toolText(await claim(ann, first.id)), /^TASKS_ALREADY_CLAIMED/, 'a task already owned');
  t.match(toolText(await claim(ann)), /^TASKS_NOTHING_TO_CLAIM/, 'nothing to claim');
  t.equal(state.seen.length, asked, 'a claim that cannot succeed asks nothing');
});

t.test('a check that fails (not a refusal) is a 503 TASKS_ADMISSION_FAILED, logged; nothing written', async (t) => {
  const { fleet, workers, state, tasks, create, claim } = await fleetWithGate(t);
  const open = (await create({ subject: 'open one' })).body as TeamTask;
  state.broken = true;
  const created = await create({ subject: 'Fix the build', toHandle: 'ann' });
  t.equal(created.status, 503);
  t.match(created.body, { code: 'TASKS_ADMISSION_FAILED', error: /this assign may go ahead/ });
  t.notMatch(JSON.stringify(created.body), /unreachable/, 'the error stays in the log');
  const claimed = await claim(workers[0]!, open.id);
  t.equal(claimed.status, 200);
  t.match(toolText(claimed), /^TASKS_ADMISSION_FAILED: Could not check whether this claim may go ahead/);
  t.same(
    (await tasks()).map((task) => [task.subject, task.ownerHandle]),
    [['open one', null]],
  );
  t.ok(
    fleet.logs.some(
      (line) => line.includes('task admission check failed') && line.includes('budget store unreachable'),
    ),
    'logged with the error',
  );
});

t.test('a removed check is not asked', async (t) => {
  const { state, create } = await fleetWithGate(t);
  state.refuse.add('bob');
  state.remove!();
  state.remove!();
  t.match((await create({ subject: 'Fix the build', toHandle: 'bob' })).body, { ownerHandle: 'bob' });
  t.same(state.seen, []);
});

t.test('claim races with a check on the way: one owner per task, a refused agent owns none', async (t) => {
  const handles = Array.from({ length: 8 }, (_, i) => `w${i}`);
  const { workers, state, tasks, create, claim } = await fleetWithGate(t, handles);
  state.refuse.add('w3');
  state.delayMs = 15; // every claim waits in the check, so they overlap there
  for (let round = 0; round < 3; round++) {
    const task = (await create({ subject: `contested ${round}` })).body as TeamTask;
    const results = await Promise.all(workers.map((worker) => claim(worker, task.id)));
    const winners = results.filter((r) => !r.isError).map((r) => toolJson(r) as TeamTask);
    t.equal(winners.length, 1, `round ${round}: one winner`);
    t.not(winners[0]!.ownerHandle, 'w3', 'never the refused agent');
    t.match(toolText(results[3]!), /^(GATEKEEPER_OVER_BUDGET|TASKS_ALREADY_CLAIMED)/, 'w3 is refused or late');
    for (const loser of results.filter((r, i) => r.isError && i !== 3))
      t.match(toolText(loser), /^TASKS_ALREADY_CLAIMED/, 'the others lost the race');
  }

  // Without ids: 4 ready tasks, 8 claimers; each task gets exactly one owner, w3 none.
  for (let i = 0; i < 4; i++) await create({ subject: `pool ${i}` });
  const results = await Promise.all(workers.map((worker) => claim(worker)));
  const owners = results.filter((r) => !r.isError).map((r) => toolJson(r) as TeamTask);
  const pool = (await tasks()).filter((task) => task.subject.startsWith('pool'));
  t.equal(owners.length, 4, 'every task taken (the 3 left over tried them all)');
  t.equal(owners.length, pool.filter((task) => task.ownerHandle !== null).length, 'each win is one owned task');
  t.equal(new Set(owners.map((o) => o.id)).size, owners.length, 'no task won twice');
  t.ok(
    pool.every((task) => task.ownerHandle !== 'w3'),
    'the refused agent owns none',
  );
  t.match(toolText(results[3]!), /^GATEKEEPER_OVER_BUDGET/);
  for (const task of pool.filter((p) => p.ownerHandle !== null))
    t.equal(task.status, 'in_progress', `${task.subject} is in progress`);
  for (const lost of results.filter((r, i) => r.isError && i !== 3))
    t.match(toolText(lost), /^TASKS_NOTHING_TO_CLAIM|^TASKS_ALREADY_CLAIMED/);
});
