/**
 * Proposals end to end with real swarm members (the fake agent in a private tmux), on SQLite and
 * PostgreSQL (test kit): weighted tallies with known reputations, re-votes, quorum rules, a tie, the
 * threshold's early close, the deadline closing by itself on a fake clock, concurrent closes (one
 * result), actions (a task assigned to the elected agent, refusals at create), bad inputs, who may
 * vote (403), the tools, events and another team seeing nothing.
 */
import t from 'tap';
import { startCoordination, startWorkerFleet, waitFor, WsClient } from '../../../test/kit/index.js';
import type { FakeClock } from '../../../core/index.js';
import type { GovernanceApi } from '../index.js';

const T0 = Date.UTC(2030, 0, 1);

t.test('proposals and votes', async (t) => {
  const w = await startWorkerFleet(t, {
    plugins: {
      swarm: true,
      governance: { testClock: { startAt: T0 } },
      workflows: { pollMs: 20, seedExamples: false },
    },
  });
  const { fleet, lead } = w;
  const clock = fleet.kernel.api<GovernanceApi>('governance')!.clock as FakeClock;
  const req = async (method: string, path: string, token: string, body?: unknown) =>
    fleet.request(method, path, { token, body });

  const sid = (await req('POST', '/swarms', lead, { name: 'voters', maxAgents: 5 })).body.id as string;
  const otherSid = (await req('POST', '/swarms', lead, { name: 'elsewhere' })).body.id as string;
  for (const handle of ['w1', 'w2', 'w3']) t.equal((await w.spawn(handle, { swarmId: sid })).status, 201);
  t.equal((await w.spawn('w4', { swarmId: otherSid })).status, 201);
  const tok: Record<string, string> = {};
  for (const handle of ['w1', 'w2', 'w3', 'w4']) tok[handle] = (await fleet.register(handle, 'alpha', 'worker')).token;
  const beta = (await fleet.register('lead', 'beta', 'team-lead')).token;
  const events = await WsClient.as(t, fleet, lead);
  const betaEvents = await WsClient.as(t, fleet, beta);

  // Known reputations: w1 0.8, w2 0.2, w3 none yet (0.5).
  for (const [handle, success] of [
    ['w1', true],
    ['w2', false],
  ] as const) {
    const body = { swarmId: sid, agentHandle: handle, success, weight: 0.6, reason: 'setup' };
    t.equal((await req('POST', '/credits/reputation', lead, body)).status, 200);
  }

  const propose = (body: Record<string, unknown>, token = lead) =>
    req('POST', '/consensus/proposals', token, { swarmId: sid, title: 'T', options: ['A', 'B'], ...body });
  const vote = (id: string, handle: string, voteValue: unknown, extra: Record<string, unknown> = {}) =>
    req('POST', `/consensus/proposals/${id}/vote`, tok[handle]!, { voteValue, ...extra });
  const get = async (id: string) => (await req('GET', `/consensus/proposals/${id}`, lead)).body;

  await t.test('weighted by reputation: one heavy vote beats two light ones', async (t) => {
    const created = await propose({ votingMethod: 'weighted', quorumType: 'absolute', quorumValue: 3 });
    t.equal(created.status, 201, JSON.stringify(created.body));
    t.match(created.body, { status: 'open', quorumType: 'absolute', quorumValue: 3, deadline: null, result: null });
    const id = created.body.id as string;
    t.match((await vote(id, 'w1', 'A')).body, { voteWeight: 0.8, changed: false, proposalStatus: 'open' });
    t.match((await vote(id, 'w2', 'B')).body, { voteWeight: 0.2 });
    const last = await vote(id, 'w3', 'B');
    t.equal(last.status, 201);
    t.equal(last.body.voteWeight, 0.5);
    t.equal(last.body.proposalStatus, 'passed', 'all three voted and nothing can change: closed by the threshold');
    const proposal = await get(id);
    t.equal(proposal.status, 'passed');
    t.equal(proposal.closedBy, 'threshold');
    t.equal(proposal.result.winner, 'A');
    t.equal(proposal.result.tally.A, 0.8);
    t.ok(Math.abs(proposal.result.tally.B - 0.7) < 1e-9);
    t.equal(proposal.result.participationRate, 1);
    t.same(
      proposal.votes.map((v: any) => [v.voterHandle, v.voteWeight]),
      [
        ['w1', 0.8],
        ['w2', 0.2],
        ['w3', 0.5],
      ],
    );
    // weightByReputation on a majority vote weighs the same way; without it every vote is 1.
    const flagged = (await propose({ weightByReputation: true, quorumType: 'absolute', quorumValue: 3 })).body.id;
    t.equal((await vote(flagged, 'w2', 'B')).body.voteWeight, 0.2);
    const plain = (await propose({ quorumType: 'absolute', quorumValue: 3 })).body.id;
    t.equal((await vote(plain, 'w2', 'B')).body.voteWeight, 1);
  });

  await t.test('re-vote, who may vote, closed proposals, quorum unmet', async (t) => {
    const id = (await propose({ quorumType: 'absolute', quorumValue: 3 })).body.id as string;
    t.equal((await vote(id, 'w1', 'A')).status, 201);
    const changed = await vote(id, 'w1', 'B', { rationale: 'changed my mind' });
    t.match(changed.body, { changed: true, voteValue: 'B', rationale: 'changed my mind' });
    const votes = (await get(id)).votes;
    t.equal(votes.length, 1, 'one vote per agent');
    t.equal(votes[0].voteValue, 'B');
    t.match((await vote(id, 'w4', 'A')).body, { code: 'GOVERNANCE_NOT_MEMBER' }, 'a worker of another swarm');
    t.equal((await vote(id, 'w4', 'A')).status, 403);
    t.equal((await req('POST', `/consensus/proposals/${id}/vote`, lead, { voteValue: 'A' })).status, 403, 'a lead');
    const impostor = await vote(id, 'w2', 'A', { voterHandle: 'w3' });
    t.equal(impostor.status, 403);
    t.equal(impostor.body.field, 'voterHandle');
    const bad = await vote(id, 'w2', 'C');
    t.equal(bad.status, 400);
    t.match(bad.body, { code: 'GOVERNANCE_VOTE_INVALID', field: 'voteValue', options: ['A', 'B'] });
    t.match((await vote(id, 'w2', undefined)).body, { error: /^voteValue: / });
    t.equal((await vote(id, 'w2', 7)).status, 400);
    t.equal((await req('POST', `/consensus/proposals/${id}/close`, tok.w1!)).status, 403, 'only a lead closes');
    const closed = await req('POST', `/consensus/proposals/${id}/close`, lead);
    t.equal(closed.status, 200, JSON.stringify(closed.body));
    t.match(closed.body, {
      status: 'failed',
      winner: null,
      leading: 'B',
      quorumMet: false,
      participationRate: 1 / 3,
      eligibleVoters: 3,
      totalVotes: 1,
      closedBy: 'lead',
    });
    t.match((await vote(id, 'w2', 'A')).body, { code: 'GOVERNANCE_PROPOSAL_CLOSED' });
    t.equal((await vote(id, 'w2', 'A')).status, 409);
    const again = await req('POST', `/consensus/proposals/${id}/close`, lead);
    t.equal(again.status, 409);
    t.same(again.body.result, (await get(id)).result, 'the 409 carries the stored result');
  });

  await t.test('percentage quorum, a tie, supermajority 2/3, quorum none', async (t) => {
    const pct = (await propose({ quorumType: 'percentage', quorumValue: 0.5 })).body.id as string;
    await vote(pct, 'w1', 'A');
    const short = (await req('POST', `/consensus/proposals/${pct}/close`, lead)).body;
    t.match(short, { quorumMet: false, status: 'failed', winner: null });
    t.equal(short.participationRate, 1 / 3, 'voters over the swarm’s three members');

    const tie = (await propose({ quorumType: 'none' })).body.id as string;
    await vote(tie, 'w1', 'A');
    await vote(tie, 'w2', 'B');
    const tied = (await req('POST', `/consensus/proposals/${tie}/close`, lead)).body;
    t.match(tied, { tie: true, winner: null, status: 'failed', quorumMet: true });

    const sm = (await propose({ votingMethod: 'supermajority', quorumType: 'none' })).body.id as string;
    t.equal((await vote(sm, 'w1', 'A')).body.proposalStatus, 'open');
    t.equal((await vote(sm, 'w3', 'B')).body.proposalStatus, 'open');
    t.equal((await vote(sm, 'w2', 'A')).body.proposalStatus, 'passed', '2 of 3 is 2/3');
    t.match((await get(sm)).result, { winner: 'A', passed: true, required: { strict: false } });
  });

  await t.test('the threshold closes early only when the rest cannot change it', async (t) => {
    const id = (await propose({ quorumType: 'none' })).body.id as string;
    t.equal((await vote(id, 'w1', 'A')).body.proposalStatus, 'open', '1 against a possible 2');
    t.equal((await vote(id, 'w2', 'A')).body.proposalStatus, 'passed', '2 against a possible 1');
    const proposal = await get(id);
    t.match(proposal, { status: 'passed', closedBy: 'threshold', result: { winner: 'A', totalVotes: 2 } });
    t.equal((await vote(id, 'w3', 'B')).status, 409, 'the last member is too late');
    const seen = await events.waitFor('the result', (m) => m.type === 'consensus:result' && m.proposalId === id);
    t.match(seen, { status: 'passed', winner: 'A', closedBy: 'threshold', swarmId: sid });
  });

  await t.test('the deadline closes by itself (fake clock), deadlineMs and the deadline alias', async (t) => {
    const created = await propose({ deadlineMs: 60_000, quorumType: 'none' });
    t.equal(created.body.deadline, new Date(clock.now() + 60_000).toISOString());
    const id = created.body.id as string;
    await vote(id, 'w1', 'B');
    const at = new Date(clock.now() + 120_000).toISOString();
    const iso = await propose({ deadline: at, quorumType: 'none' });
    t.equal(iso.status, 201);
    t.equal(iso.body.deadline, at);
    clock.advance(59_999);
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.equal((await get(id)).status, 'open', 'not yet');
    clock.advance(1);
    const closed = await waitFor('closed at the deadline', async () => {
      const proposal = await get(id);
      return proposal.status === 'open' ? undefined : proposal;
    });
    t.match(closed, { status: 'passed', closedBy: 'deadline', result: { winner: 'B' } });
    clock.advance(60_000);
    const late = await waitFor('the alias closes too', async () => {
      const proposal = await get(iso.body.id);
      return proposal.status === 'open' ? undefined : proposal;
    });
    t.match(late, { status: 'failed', closedBy: 'deadline', result: { totalVotes: 0 } });
    const past = await propose({ deadline: T0 - 1 });
    t.match(past.body, { field: 'deadline' });
    t.equal(past.status, 400);
    t.equal((await propose({ deadline: 'tomorrow' })).status, 400);
    t.match((await propose({ deadline: at, deadlineMs: 5 })).body, { field: 'deadline' });
    t.match((await propose({ deadlineMs: 0 })).body, { error: /^deadlineMs: / });
  });

  await t.test('concurrent closes store one result', async (t) => {
    const id = (await propose({ quorumType: 'none' })).body.id as string;
    await vote(id, 'w1', 'A');
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => req('POST', `/consensus/proposals/${id}/close`, lead)),
      vote(id, 'w2', 'B'),
      vote(id, 'w3', 'B'),
    ]);
    const closes = answers.slice(0, 6);
    t.equal(closes.filter((a) => a.status === 200).length, 1, 'one close wins');
    t.equal(closes.filter((a) => a.status === 409).length, 5, 'the others are told it is closed');
    const winner = closes.find((a) => a.status === 200)!.body;
    const stored = await get(id);
    t.equal(stored.result.closedAt, winner.closedAt);
    t.same(stored.result.tally, winner.tally, 'the stored tally is the one answered');
    const counted = stored.votes.length;
    t.equal(stored.result.totalVotes, counted, 'every vote stored was counted: none slipped in after the close');
    for (const a of answers.slice(6)) t.ok(a.status === 201 || a.status === 409, `vote: ${a.status}`);
  });

  await t.test('actions: the elected agent gets the task; refusals at create', async (t) => {
    const task = await req('POST', '/tasks', lead, { subject: 'ship the release' });
    t.equal(task.status, 200, JSON.stringify(task.body));
    const taskId = task.body.id as string;
    const election = await propose({
      proposalType: 'election',
      options: ['w1', 'w2'],
      quorumType: 'none',
      action: { type: 'assign_task', taskId },
    });
    t.equal(election.status, 201, JSON.stringify(election.body));
    await vote(election.body.id, 'w1', 'w2');
    t.equal((await vote(election.body.id, 'w3', 'w2')).body.proposalStatus, 'passed');
    const done = await get(election.body.id);
    t.match(done.actionOutcome, { ok: true, detail: { taskId, ownerHandle: 'w2' } });
    const owner = async () => (await req('GET', `/tasks/${taskId}`, lead)).body.ownerHandle;
    t.equal(await owner(), 'w2', 'the task is really assigned');

    // Passing again on an owned task: the outcome says why nothing changed.
    const second = await propose({
      options: ['yes', 'no'],
      quorumType: 'none',
      action: { type: 'assign_task', taskId, handle: 'w1' },
    });
    await vote(second.body.id, 'w1', 'yes');
    await vote(second.body.id, 'w2', 'yes');
    t.match((await get(second.body.id)).actionOutcome, { ok: false, code: 'TASKS_ALREADY_CLAIMED' });
    t.equal(await owner(), 'w2');

    // A workflow started when the proposal passes, as its proposer, saying where it came from.
    const steps = [{ key: 'hold', type: 'wait', config: { durationMs: 3_600_000 } }];
    const workflow = await req('POST', '/workflows', lead, { name: 'on-pass', definition: { steps } });
    t.equal(workflow.status, 201, JSON.stringify(workflow.body));
    const run = await propose({ quorumType: 'none', action: { type: 'start_workflow', workflowId: workflow.body.id } });
    t.equal(run.status, 201, JSON.stringify(run.body));
    await vote(run.body.id, 'w1', 'A');
    await vote(run.body.id, 'w2', 'A');
    const started = (await get(run.body.id)).actionOutcome;
    t.match(started, { ok: true, detail: { workflowId: workflow.body.id, executionId: String } });
    const execution = (await req('GET', `/executions/${started.detail.executionId}`, lead)).body;
    t.match(execution, { workflowId: workflow.body.id, startedBy: `proposal:${run.body.id}` });
    const noSuch = await propose({ action: { type: 'start_workflow', workflowId: 'nope' } });
    t.match(noSuch.body, { code: 'GOVERNANCE_ACTION_TARGET', field: 'action.workflowId' });
    t.equal(noSuch.status, 404);
    // A vote on the task's priority: the winning option is the priority the task gets.
    const priority = await propose({
      options: ['high', 'low'],
      quorumType: 'none',
      action: { type: 'set_task_priority', taskId },
    });
    t.equal(priority.status, 201, JSON.stringify(priority.body));
    await vote(priority.body.id, 'w1', 'high');
    await vote(priority.body.id, 'w2', 'high');
    t.match((await get(priority.body.id)).actionOutcome, { ok: true, detail: { taskId, priority: 'high' } });
    t.equal((await req('GET', `/tasks/${taskId}`, lead)).body.priority, 'high', 'the task really has it');
    const notPriorities = await propose({ options: ['soon', 'later'], action: { type: 'set_task_priority', taskId } });
    t.match(notPriorities.body, { field: 'options', error: /soon is not a task priority/ });
    t.equal(notPriorities.status, 400);
    const badPriority = await propose({ action: { type: 'set_task_priority', taskId, priority: 'urgent' } });
    t.match(badPriority.body, { field: 'action.priority' });
    const missing = await propose({ action: { type: 'assign_task', taskId: '00000000-0000-4000-8000-000000000000' } });
    t.match(missing.body, { field: 'action.taskId' });
    t.equal(missing.status, 404);
    t.match((await propose({ options: ['nobody', 'w1'], action: { type: 'assign_task', taskId } })).body, {
      field: 'options',
    });
    t.match((await propose({ action: { type: 'fly' } })).body, { error: /^action(\.type)?: / });
  });

  await t.test('bad inputs, quorumType none, who proposes', async (t) => {
    t.equal((await propose({ quorumType: 'none' })).status, 201, 'quorumType none works');
    t.match((await propose({ options: ['A'] })).body, { error: /^options: / });
    t.match((await propose({ options: ['A', 'A'] })).body, { error: /^options: .*twice/ });
    t.match((await propose({ votingMethod: 'bogus' })).body, { error: /^votingMethod: / });
    t.match((await propose({ quorumValue: 2 })).body, { field: 'quorumValue' });
    t.match((await propose({ quorumType: 'absolute', quorumValue: 0.5 })).body, { field: 'quorumValue' });
    t.match((await propose({ threshold: 0 })).body, { error: /^threshold: / });
    t.match((await propose({ title: '' })).body, { error: /^title: / });
    t.match((await propose({ swarmId: 'swarm-nothere' })).body, { code: 'SWARM_NOT_FOUND' });
    t.equal((await propose({}, tok.w4)).status, 403, 'a worker of another swarm may not propose here');
    t.equal((await propose({}, tok.w1)).status, 201, 'a member may');
    t.match((await propose({ proposerHandle: 'w2' }, tok.w1)).body, { field: 'proposerHandle' });
    const list = (s: string) => req('GET', `/consensus/${sid}/proposals?status=${s}`, lead);
    t.equal((await list('bogus')).status, 400);
    const all = (await list('all')).body.count;
    const active = (await list('active')).body;
    const closed = (await list('closed')).body;
    t.ok(active.proposals.every((p: any) => p.status === 'open'));
    t.ok(closed.proposals.every((p: any) => p.status !== 'open'));
    t.equal(active.count + closed.count, all);
    t.equal((await list('open')).body.count, active.count);
    t.equal((await req('GET', '/consensus/proposals/not-a-uuid', lead)).status, 400);
    const unknown = await req('GET', '/consensus/proposals/00000000-0000-4000-8000-000000000000', lead);
    t.match(unknown.body, { code: 'GOVERNANCE_PROPOSAL_NOT_FOUND' });
  });

  await t.test('cancel, stats, tools, another team', async (t) => {
    const id = (await propose({}, tok.w1)).body.id as string;
    t.equal((await req('POST', `/consensus/proposals/${id}/cancel`, tok.w2!)).status, 403, 'not the proposer');
    t.match((await req('POST', `/consensus/proposals/${id}/cancel`, tok.w1!)).body, { status: 'cancelled' });
    t.equal((await req('POST', `/consensus/proposals/${id}/close`, lead)).status, 409);
    t.equal((await vote(id, 'w2', 'A')).status, 409);

    const call = async (token: string, name: string, args: Record<string, unknown>) => {
      const res = await req('POST', '/mcp/call', token, { name, arguments: args });
      t.equal(res.status, 200);
      return { isError: res.body.isError, text: res.body.content[0].text as string };
    };
    const made = await call(tok.w1!, 'proposal_create', {
      title: 'by tool',
      options: ['x', 'y'],
      deadline_ms: 1000,
      quorum_type: 'none',
    });
    const tool = JSON.parse(made.text);
    t.match(tool, { swarmId: sid, proposerHandle: 'w1', status: 'open' });
    const voted = JSON.parse((await call(tok.w2!, 'proposal_vote', { proposal_id: tool.id, vote_value: 'y' })).text);
    t.match(voted, { voterHandle: 'w2', voteValue: 'y' });
    const listed = JSON.parse((await call(tok.w3!, 'proposal_list', { status: 'active' })).text);
    t.ok(listed.proposals.some((p: any) => p.id === tool.id));
    const bad = await call(tok.w2!, 'proposal_vote', { proposal_id: tool.id, vote_value: 'z' });
    t.equal(bad.isError, true);
    t.match(bad.text, /GOVERNANCE_VOTE_INVALID/);
    t.match((await call(tok.w1!, 'proposal_close', { proposal_id: tool.id })).text, /Insufficient permissions/);
    t.match(JSON.parse((await call(lead, 'proposal_close', { proposal_id: tool.id })).text), { winner: 'y' });

    const stats = (await req('GET', `/consensus/${sid}/stats`, lead)).body;
    t.equal(
      stats.totalProposals,
      (await req('GET', `/consensus/${sid}/proposals?status=all&limit=100`, lead)).body.count,
    );
    t.ok(stats.passedProposals >= 4);
    t.ok(stats.cancelledProposals >= 1);
    t.ok(stats.avgParticipation > 0 && stats.avgParticipation <= 1);
    t.equal(typeof stats.byType.election, 'number');

    // Another team sees nothing: 404 for the swarm and the proposal, no events.
    t.equal((await req('GET', `/consensus/${sid}/proposals`, beta)).status, 404);
    t.equal((await req('GET', `/consensus/${sid}/stats`, beta)).status, 404);
    t.equal((await req('GET', `/consensus/proposals/${tool.id}`, beta)).status, 404);
    t.equal((await req('POST', `/consensus/proposals/${tool.id}/close`, beta)).status, 404);
    t.equal(
      (await req('POST', '/consensus/proposals', beta, { swarmId: sid, title: 't', options: ['a', 'b'] })).status,
      404,
    );
    await betaEvents.sync();
    t.notOk(
      betaEvents.received.some((m) => String(m.type).startsWith('consensus:')),
      'beta got no consensus events',
    );
    t.ok(events.received.some((m) => m.type === 'consensus:proposal'));
    t.ok(events.received.some((m) => m.type === 'consensus:vote'));
  });
});

t.test('a start_workflow action is refused at create while the workflows plugin is off', async (t) => {
  const fleet = await startCoordination(t, {
    plugins: { auth: true, mail: true, tasks: true, swarm: true, governance: true },
  });
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const sid = (await fleet.request('POST', '/swarms', { token: lead, body: { name: 's' } })).body.id as string;
  const body = { swarmId: sid, title: 't', options: ['A', 'B'], action: { type: 'start_workflow', workflowId: 'wf' } };
  const refused = await fleet.request('POST', '/consensus/proposals', { token: lead, body });
  t.equal(refused.status, 400);
  t.match(refused.body, { code: 'GOVERNANCE_ACTION_UNAVAILABLE', field: 'action.type', error: /workflows plugin/ });
  const plain = await fleet.request('POST', '/consensus/proposals', {
    token: lead,
    body: { ...body, action: undefined },
  });
  t.equal(plain.status, 201, 'a lead proposes without members; nobody can vote yet');
});
