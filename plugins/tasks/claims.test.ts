import t from 'tap';
import type { AuthApi } from '../auth/index.js';
import type { TasksApi, TeamTask } from './index.js';
import {
  type Agent,
  as,
  callTool,
  nextMillisecond,
  registerTeam,
  startCoordination,
  toolJson,
  toolText,
} from '../../test/kit/index.js';

const WORKERS = Array.from({ length: 10 }, (_, i) => `w${i}`);

t.test('10 workers claim one unowned task at once: exactly one wins, the others get a clear conflict', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', WORKERS);
  for (let round = 0; round < 3; round++) {
    const task = (await as(fleet, alpha.lead, 'POST', '/tasks', { subject: `Contested ${round}` })).body;
    const results = await Promise.all(
      alpha.workers.map((worker) => callTool(fleet, worker, 'team_claim', { task_id: task.id })),
    );
    t.ok(
      results.every((r) => r.status === 200),
      'every call is answered (tool errors are results, not HTTP errors)',
    );
    const winners = results.map((r, i) => ({ r, worker: alpha.workers[i]! })).filter(({ r }) => !r.isError);
    t.equal(winners.length, 1, `round ${round}: exactly one winner`);
    const winner = winners[0]!.worker;
    t.match(
      toolJson(winners[0]!.r),
      { id: task.id, ownerHandle: winner.handle, ownerUid: winner.uid, status: 'in_progress' },
      'the winner gets the task, in progress',
    );
    for (const loser of results.filter((r) => r.isError)) {
      t.match(
        toolText(loser),
        new RegExp(`^TASKS_ALREADY_CLAIMED: Task already claimed by ${winner.handle}\\b`),
        'the conflict names the owner',
      );
      t.match(toolText(loser), task.id, 'and the task');
    }
    const stored = await as(fleet, alpha.lead, 'GET', `/tasks/${task.id}`);
    t.match(stored.body, { ownerHandle: winner.handle, status: 'in_progress' }, 'the stored owner is the winner');
  }
});

t.test(
  'the claim itself is one conditional write: ' +
    'concurrent service calls, interleaved at every await, still give one winner',
  async (t) => {
    // Over HTTP on SQLite each request's handler runs without yielding between its reads and writes,
    // so the test above would pass even with a check-then-write claim. Here the claims start together
    // in one event loop turn and interleave at every await (as a networked database would make them),
    // so only the conditional UPDATE keeps a second claimer out.
    const fleet = await startCoordination(t);
    const alpha = await registerTeam(fleet, 'alpha', WORKERS);
    const api = fleet.kernel.api<TasksApi>('tasks')!;
    const auth = fleet.kernel.api<AuthApi>('auth')!;
    const agents = await Promise.all(alpha.workers.map(async (w) => (await auth.agents.get(w.uid))!));
    for (let round = 0; round < 3; round++) {
      const task = (await as(fleet, alpha.lead, 'POST', '/tasks', { subject: `Raced ${round}` })).body;
      const settled = await Promise.allSettled(agents.map((agent) => api.tasks.claim('alpha', agent, task.id)));
      const won = settled.filter((s) => s.status === 'fulfilled');
      t.equal(won.length, 1, `round ${round}: exactly one claim succeeds`);
      for (const lost of settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected')) {
        t.match(
          lost.reason,
          { status: 409, message: /^Task already claimed by w\d/ },
          'the others: 409 naming the owner',
        );
      }
      const stored = await as(fleet, alpha.lead, 'GET', `/tasks/${task.id}`);
      t.equal(
        stored.body.ownerHandle,
        (won[0] as PromiseFulfilledResult<TeamTask>).value.ownerHandle,
        'the stored owner is the one that was told it won',
      );
    }
    const free = await Promise.allSettled(agents.map((agent) => api.tasks.claim('alpha', agent)));
    t.equal(free.filter((s) => s.status === 'fulfilled').length, 0, 'nothing left to claim without an id');
    for (let i = 0; i < 4; i++) await as(fleet, alpha.lead, 'POST', '/tasks', { subject: `Pool ${i}` });
    const pooled = await Promise.allSettled(agents.map((agent) => api.tasks.claim('alpha', agent)));
    const taken = pooled
      .filter((s): s is PromiseFulfilledResult<TeamTask> => s.status === 'fulfilled')
      .map((s) => s.value.id);
    t.equal(taken.length, 4, 'four tasks, four winners');
    t.equal(new Set(taken).size, 4, 'no task handed out twice');
  },
);

t.test(
  'claims without task_id at once: each ready task goes to exactly one worker, the rest hear there is none',
  async (t) => {
    const fleet = await startCoordination(t);
    const alpha = await registerTeam(fleet, 'alpha', WORKERS);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await as(fleet, alpha.lead, 'POST', '/tasks', { subject: `Open ${i}` })).body.id);
    const results = await Promise.all(alpha.workers.map((worker) => callTool(fleet, worker, 'team_claim', {})));
    const won = results.filter((r) => !r.isError).map((r) => toolJson(r) as { id: string; ownerHandle: string });
    t.equal(won.length, 3, 'three tasks, three winners');
    t.same(won.map((task) => task.id).sort(), [...ids].sort(), 'each task claimed once');
    t.equal(new Set(won.map((task) => task.ownerHandle)).size, 3, 'by three different workers');
    for (const loser of results.filter((r) => r.isError))
      t.equal(toolText(loser), 'TASKS_NOTHING_TO_CLAIM: No open, unowned, unblocked task to claim');
    const listed = await as(fleet, alpha.lead, 'GET', '/teams/alpha/tasks?unassigned=true');
    t.same(listed.body, [], 'no task left unowned');
  },
);

t.test(
  'team_claim without task_id takes the oldest ready unowned task; blocked, owned and closed tasks are refused',
  async (t) => {
    const fleet = await startCoordination(t);
    const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
    const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
    const create = async (subject: string, extra: Record<string, unknown> = {}) => {
      await nextMillisecond();
      return (await as(fleet, alpha.lead, 'POST', '/tasks', { subject, ...extra })).body;
    };
    const owned = await create('Owned by ann', { toHandle: 'ann' });
    const blocker = await create('Blocker, owned', { toHandle: 'bob' });
    const blocked = await create('Blocked, unowned', { blockedBy: [blocker.id] });
    const older = await create('Older ready');
    const younger = await create('Younger ready');
    const done = await create('Resolved, unowned');
    await as(fleet, alpha.lead, 'PATCH', `/tasks/${done.id}`, { status: 'resolved' });

    const first = await callTool(fleet, cy, 'team_claim');
    t.match(
      toolJson(first),
      { id: older.id, ownerHandle: 'cy' },
      'the oldest ready unowned task (the blocked one is older but not ready)',
    );
    const second = await callTool(fleet, cy, 'team_claim', {});
    t.match(toolJson(second), { id: younger.id }, 'then the next');
    const none = await callTool(fleet, cy, 'team_claim', {});
    t.equal(none.isError, true);
    t.equal(toolText(none), 'TASKS_NOTHING_TO_CLAIM: No open, unowned, unblocked task to claim');

    const ownedClaim = await callTool(fleet, cy, 'team_claim', { task_id: owned.id });
    t.equal(ownedClaim.isError, true, 'an owned task');
    t.match(toolText(ownedClaim), /^TASKS_ALREADY_CLAIMED: Task already claimed by ann/);
    const blockedClaim = await callTool(fleet, cy, 'team_claim', { task_id: blocked.id });
    t.equal(blockedClaim.isError, true, 'a blocked task');
    t.match(toolText(blockedClaim), /^TASKS_CLAIM_BLOCKED: Task is blocked by unresolved tasks/);
    const doneClaim = await callTool(fleet, cy, 'team_claim', { task_id: done.id });
    t.equal(doneClaim.isError, true, 'a resolved task');
    t.match(toolText(doneClaim), /^TASKS_NOT_OPEN: Task is resolved, not open/);
    const unknown = await callTool(fleet, cy, 'team_claim', { task_id: '00000000-0000-4000-8000-000000000000' });
    t.equal(toolText(unknown), 'TASKS_TASK_NOT_FOUND: Task not found');

    await as(fleet, bob, 'PATCH', `/tasks/${blocker.id}`, { status: 'resolved' });
    const unblocked = await callTool(fleet, ann, 'team_claim', {});
    t.match(
      toolJson(unblocked),
      { id: blocked.id, ownerHandle: 'ann', status: 'in_progress' },
      'once its blocker is resolved it is ready',
    );

    const beta = await registerTeam(fleet, 'beta', ['bo']);
    await as(fleet, beta.lead, 'POST', '/tasks', { subject: 'Beta work' });
    const alphaOnly = await callTool(fleet, ann, 'team_claim', {});
    t.equal(
      toolText(alphaOnly),
      'TASKS_NOTHING_TO_CLAIM: No open, unowned, unblocked task to claim',
      "another team's tasks are never claimed",
    );
  },
);
