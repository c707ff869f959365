/**
 * Bids and auctions through a real fleet (SQLite or PostgreSQL per FLEET_TEST_STORAGE), with fake-agent
 * workers spawned into a swarm: each auction kind on known bids (winner, price, the task's owner, the
 * ledger), two concurrent awards on one task (one winner, one charge), the balance check, members only,
 * the tools, bad inputs, and another team seeing nothing.
 */
import t from 'tap';
import { EventSocket, startWorkerFleet } from '../../../test/kit/index.js';
import type { SwarmApi } from '../../swarm/index.js';
import type { TasksApi } from '../../tasks/index.js';

t.test('bids and auctions', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true, governance: true } });
  const { fleet, lead } = w;
  const req = (method: string, path: string, token: string, body?: unknown) =>
    fleet.request(method, path, { token, body });
  const tool = async (token: string, name: string, args: Record<string, unknown>) => {
    const response = await req('POST', '/mcp/call', token, { name, arguments: args });
    const text = (response.body.content as { text: string }[]).map((c) => c.text).join('\n');
    return { isError: response.body.isError === true, text, json: () => JSON.parse(text) as Record<string, any> };
  };
  const sid = (await req('POST', '/swarms', lead, { name: 'crew' })).body.id as string;
  const tokens: Record<string, string> = {};
  for (const handle of ['w1', 'w2', 'w3']) {
    t.equal((await w.spawn(handle, { swarmId: sid })).status, 201);
    tokens[handle] = (await fleet.register(handle, 'alpha', 'worker')).token;
  }
  const outsider = (await fleet.register('w9', 'alpha', 'worker')).token;
  const beta = (await fleet.register('blead', 'beta', 'team-lead')).token;
  const alphaSocket = await EventSocket.open(t, fleet.url, lead);
  const betaSocket = await EventSocket.open(t, fleet.url, beta);
  const newTask = async (subject: string) => (await req('POST', '/tasks', lead, { subject })).body.id as string;
  const bidOn = (handle: string, taskId: string, bidAmount: number, extra: Record<string, unknown> = {}) =>
    req('POST', '/bids', tokens[handle]!, { taskId, swarmId: sid, bidderHandle: handle, bidAmount, ...extra });
  const balance = async (handle: string) => {
    const r = await req('GET', `/credits/${sid}/${handle}`, lead);
    return r.status === 200 ? (r.body.balance as number) : undefined;
  };
  const charges = async (handle: string) => {
    const r = await req('GET', `/credits/${sid}/${handle}/history`, lead);
    return r.status === 200
      ? (r.body.transactions as { referenceType: string; amount: number }[]).filter((x) => x.referenceType === 'bid')
      : [];
  };
  // w1: a fair offer, fast and sure; w2: low but as fast; w3: the highest offer, no estimate, unsure.
  const placeBids = async (taskId: string) => {
    const placed = [
      await bidOn('w1', taskId, 40, { estimatedDuration: 600_000, confidence: 0.9 }),
      await bidOn('w2', taskId, 20, { estimatedDuration: 600_000, confidence: 0.9 }),
      await bidOn('w3', taskId, 50, { confidence: 0.1, rationale: 'I pay the most' }),
    ];
    for (const r of placed) t.equal(r.status, 201, r.status === 201 ? 'bid placed' : JSON.stringify(r.body));
    return placed.map((r) => r.body.id as string);
  };

  await t.test('each auction kind: the winner gets the task and pays its price', async (t) => {
    const expected = [
      { kind: 'first-price', winner: 'w1', price: 40 },
      { kind: 'second_price', winner: 'w1', price: 20 }, // the seed's spelling: min(40, the next score's 20)
      { kind: 'vickrey', winner: 'w3', price: 40 }, // the highest bid (50) pays the second-highest
    ];
    for (const { kind, winner, price } of expected) {
      const taskId = await newTask(`auction ${kind}`);
      const ids = await placeBids(taskId);
      const before = (await balance(winner)) ?? 100;
      const evaluated = await req('POST', `/bids/task/${taskId}/evaluate`, lead, {});
      t.same(
        evaluated.body.evaluations.map((e: { bidderHandle: string; score: number }) => [e.bidderHandle, e.score]),
        [
          ['w1', 0.91],
          ['w2', 0.75],
          ['w3', 0.71],
        ],
        'scored by amount, duration, reputation and confidence',
      );
      const run = await req('POST', `/bids/task/${taskId}/auction`, lead, { auctionType: kind });
      t.equal(run.status, 200, run.status === 200 ? `${kind} ran` : JSON.stringify(run.body));
      t.match(run.body, {
        taskId,
        winner: { bidder: winner, finalPrice: price },
        totalBids: 3,
        acceptedBid: { status: 'accepted', price },
        task: { id: taskId, ownerHandle: winner },
      });
      t.equal((await req('GET', `/tasks/${taskId}`, lead)).body.ownerHandle, winner, 'the task is the winner’s');
      t.equal(await balance(winner), before - price, `${winner} paid ${price}`);
      const statuses = await req('GET', `/bids/task/${taskId}`, lead);
      t.same(
        statuses.body.bids.map((b: { id: string; status: string }) => [ids.indexOf(b.id), b.status]).sort(),
        [0, 1, 2].map((i) => [i, i === ['w1', 'w2', 'w3'].indexOf(winner) ? 'accepted' : 'rejected']),
        'the others rejected',
      );
      const again = await req('POST', `/bids/task/${taskId}/auction`, lead, { auctionType: kind });
      t.equal(again.status, 409, 'an awarded task has no second auction');
    }
    t.same(
      (await charges('w1')).map((c) => c.amount),
      [-20, -40],
      'w1 charged once per win',
    );
    t.equal(await balance('w2'), undefined, 'w2 won nothing and paid nothing');
    const complete = await alphaSocket.waitFor('auction_complete', (m) => m.type === 'bidding:auction_complete');
    t.match(complete, { swarmId: sid, winner: 'w1', price: 40, auctionType: 'first-price' });
    t.match(await alphaSocket.waitFor('bid', (m) => m.type === 'bidding:bid'), {
      bid: { bidder: 'w1', amount: 40, estimatedDuration: 600_000 },
    });
    t.match(await alphaSocket.waitFor('accepted', (m) => m.type === 'bidding:accepted'), {
      bid: { winner: 'w1', price: 40 },
    });
    t.notOk(
      betaSocket.received.some((m) => String(m.type).startsWith('bidding:')),
      'another team hears no bidding',
    );
  });

  await t.test('two concurrent awards on one task: one winner, one charge', async (t) => {
    for (const round of [0, 1]) {
      const taskId = await newTask(`race ${round}`);
      const a = (await bidOn('w2', taskId, 5)).body.id as string;
      const b = (await bidOn('w3', taskId, 6)).body.id as string;
      const w2Before = (await charges('w2')).length;
      const w3Before = (await charges('w3')).length;
      const racing =
        round === 0
          ? await Promise.all([
              req('POST', `/bids/${a}/accept`, lead, {}),
              req('POST', `/bids/${b}/accept`, lead, {}),
              req('POST', `/bids/task/${taskId}/auction`, lead, { auctionType: 'vickrey' }),
            ])
          : await Promise.all([
              req('POST', `/bids/task/${taskId}/auction`, lead, { auctionType: 'first-price' }),
              req('POST', `/bids/task/${taskId}/auction`, lead, { auctionType: 'second-price' }),
            ]);
      const statuses = racing.map((r) => r.status).sort();
      const expected = [200, ...Array<number>(racing.length - 1).fill(409)];
      t.same(
        statuses,
        expected,
        statuses.join() === expected.join() ? 'one 200' : JSON.stringify(racing.map((r) => r.body)),
      );
      // The loser finds the task taken, or its bid (or every bid) no longer pending: all 409.
      for (const r of racing.filter((x) => x.status === 409)) t.match(r.body.code, /^GOVERNANCE_BID_/);
      const owner = (await req('GET', `/tasks/${taskId}`, lead)).body.ownerHandle as string;
      const bids = (await req('GET', `/bids/task/${taskId}?status=accepted`, lead)).body.bids;
      t.equal(bids.length, 1, 'one accepted bid');
      t.equal(bids[0].bidderHandle, owner, 'the accepted bidder owns the task');
      const newCharges = (await charges('w2')).length - w2Before + (await charges('w3')).length - w3Before;
      t.equal(newCharges, 1, 'one charge');
    }
  });

  await t.test('a taken task: no bid, no award, nothing charged', async (t) => {
    const taskId = await newTask('claimed under the auction');
    const id = (await bidOn('w2', taskId, 7)).body.id as string;
    await req('POST', '/mcp/call', tokens.w1!, { name: 'team_claim', arguments: { task_id: taskId } });
    t.equal((await req('GET', `/tasks/${taskId}`, lead)).body.ownerHandle, 'w1', 'w1 claimed it');
    const before = (await charges('w2')).length;
    const accepted = await req('POST', `/bids/${id}/accept`, lead, {});
    t.equal(accepted.status, 409);
    t.equal(accepted.body.code, 'GOVERNANCE_BID_TASK_TAKEN');
    t.equal((await charges('w2')).length, before, 'nothing charged');
    t.equal((await req('GET', `/bids/${id}`, lead)).body.status, 'pending');
    t.equal((await bidOn('w3', taskId, 1)).status, 409, 'an owned task takes no bids');
  });

  await t.test('a charge that fails after the assignment undoes the award', async (t) => {
    const taskId = await newTask('drained in between');
    const id = (await bidOn('w2', taskId, 5)).body.id as string;
    const before = (await charges('w2')).length;
    // Between the award's balance check and its charge, w2 spends all but 1 (a real admission check
    // of the tasks plugin runs in that window).
    const swarmApi = fleet.kernel.api<SwarmApi>('swarm')!;
    let drained = 0;
    const remove = fleet.kernel.api<TasksApi>('tasks')!.addAdmission(async (request) => {
      if (request.taskId !== taskId) return;
      const account = await swarmApi.credits.account('alpha', sid, 'w2');
      drained = (account?.balance ?? 100) - 1;
      await swarmApi.credits.apply('alpha', sid, 'w2', { type: 'spend', amount: drained, reason: 'drained' });
    });
    const accepted = await req('POST', `/bids/${id}/accept`, lead, {});
    remove();
    t.equal(accepted.status, 409);
    t.match(accepted.body, { code: 'GOVERNANCE_BID_WINNER_SHORT', balance: 1, requested: 5 });
    t.equal((await req('GET', `/tasks/${taskId}`, lead)).body.ownerHandle, null, 'the task released');
    t.equal((await req('GET', `/bids/${id}`, lead)).body.status, 'pending', 'the bid pending again');
    t.equal((await charges('w2')).length, before, 'nothing charged for the bid');
    await swarmApi.credits.apply('alpha', sid, 'w2', { type: 'earn', amount: drained, reason: 'restored' });
  });

  await t.test('bids within the bidder’s credits, by members, as themselves', async (t) => {
    const taskId = await newTask('rules');
    const rich = await bidOn('w2', taskId, 150);
    t.equal(rich.status, 409);
    t.match(rich.body, { code: 'GOVERNANCE_BID_INSUFFICIENT_BALANCE', field: 'bidAmount', balance: Number });
    t.match(rich.body.error, /^bidAmount: /);
    const stranger = await req('POST', '/bids', outsider, { taskId, swarmId: sid, bidAmount: 1 });
    t.equal(stranger.status, 403, 'a worker outside the swarm cannot bid');
    t.equal(stranger.body.code, 'GOVERNANCE_BID_NOT_MEMBER');
    t.equal((await req('POST', '/bids', lead, { taskId, swarmId: sid, bidAmount: 1 })).status, 403, 'nor a lead');
    const forged = await req('POST', '/bids', tokens.w1!, { taskId, swarmId: sid, bidderHandle: 'w2', bidAmount: 1 });
    t.equal(forged.status, 403);
    t.equal(forged.body.field, 'bidderHandle');
    // A second bid changes the pending one in place.
    const first = await bidOn('w2', taskId, 3);
    const second = await bidOn('w2', taskId, 4, { estimatedDuration: 1000 });
    t.equal(second.body.id, first.body.id);
    t.match(second.body, { bidAmount: 4, estimatedDuration: 1000, status: 'pending' });
    // Withdraw: only the bidder (from the token; ?handle naming another is refused), once.
    t.equal((await req('DELETE', `/bids/${first.body.id}`, tokens.w3!)).status, 403);
    t.equal((await req('DELETE', `/bids/${first.body.id}?handle=w3`, tokens.w3!)).status, 403);
    t.equal((await req('DELETE', `/bids/${first.body.id}?handle=w2`, tokens.w2!)).status, 200);
    const twice = await req('DELETE', `/bids/${first.body.id}`, tokens.w2!);
    t.equal(twice.status, 409);
    t.equal(twice.body.code, 'GOVERNANCE_BID_NOT_PENDING');
    const none = await req('POST', `/bids/task/${taskId}/auction`, lead, {});
    t.equal(none.status, 409);
    t.equal(none.body.code, 'GOVERNANCE_BID_NO_BIDS');
    const stats = await req('GET', `/bids/${sid}/stats`, tokens.w1!);
    t.equal(stats.status, 200);
    t.ok(
      stats.body.totalBids >= 10 && stats.body.acceptedBids >= 5 && stats.body.withdrawnBids >= 1,
      JSON.stringify(stats.body),
    );
    t.equal(stats.body.uniqueBidders, 3);
  });

  await t.test('the tools: bid_submit, bid_list, bid_withdraw, bid_accept, auction_run (bidder = self)', async (t) => {
    const taskId = await newTask('by tools');
    const submitted = await tool(tokens.w3!, 'bid_submit', {
      task_id: taskId,
      bid_amount: 9,
      estimated_duration: 5000,
    });
    t.notOk(submitted.isError, submitted.text);
    t.match(submitted.json(), { bidderHandle: 'w3', swarmId: sid, bidAmount: 9 });
    const other = await tool(tokens.w1!, 'bid_submit', { task_id: taskId, bid_amount: 2, rationale: 'cheap' });
    t.notOk(other.isError, other.text);
    t.equal((await tool(outsider, 'bid_submit', { task_id: taskId, bid_amount: 1 })).isError, true);
    t.equal((await tool(tokens.w1!, 'bid_list', { task_id: taskId })).json().count, 2);
    t.equal((await tool(tokens.w1!, 'bid_withdraw', { bid_id: other.json().id })).json().success, true);
    t.equal((await tool(tokens.w1!, 'auction_run', { task_id: taskId })).isError, true, 'leads only');
    const run = await tool(lead, 'auction_run', { task_id: taskId, auction_type: 'vickrey' });
    t.match(run.json(), { winner: { bidder: 'w3', finalPrice: 9 } });
    const t2 = await newTask('accepted by tool');
    const bid = (await tool(tokens.w2!, 'bid_submit', { task_id: t2, bid_amount: 3 })).json();
    const accepted = await tool(lead, 'bid_accept', { bid_id: bid.id, settle_credits: false });
    t.match(accepted.json(), {
      bid: { status: 'accepted', price: null },
      creditSettlement: null,
      task: { ownerHandle: 'w2' },
    });
  });

  await t.test('bad inputs: 400 naming the field', async (t) => {
    const taskId = await newTask('bad inputs');
    const bad: [string, string, string, unknown, string][] = [
      ['w1', 'POST', '/bids', { taskId, swarmId: sid, bidAmount: -1 }, 'bidAmount'],
      ['w1', 'POST', '/bids', { taskId, swarmId: sid, bidAmount: 'x' }, 'bidAmount'],
      ['w1', 'POST', '/bids', { taskId, swarmId: sid, bidAmount: 20_000 }, 'bidAmount'],
      ['w1', 'POST', '/bids', { taskId, swarmId: sid, bidAmount: 1, confidence: 2 }, 'confidence'],
      ['w1', 'POST', '/bids', { taskId, swarmId: sid, bidAmount: 1, estimatedDuration: 1.5 }, 'estimatedDuration'],
      ['w1', 'POST', '/bids', { taskId, swarmId: 'a b', bidAmount: 1 }, 'swarmId'],
      ['w1', 'POST', '/bids', { swarmId: sid, bidAmount: 1 }, 'taskId'],
      ['w1', 'POST', '/bids', { taskId, swarmId: sid, bidAmount: 1, rationale: 'x'.repeat(2001) }, 'rationale'],
      ['lead', 'POST', `/bids/task/${taskId}/auction`, { auctionType: 'dutch' }, 'auctionType'],
      ['lead', 'POST', `/bids/task/${taskId}/evaluate`, { bidWeight: 2 }, 'bidWeight'],
      [
        'lead',
        'POST',
        `/bids/task/${taskId}/evaluate`,
        { bidWeight: 0, reputationWeight: 0, confidenceWeight: 0, durationWeight: 0 },
        'bidWeight',
      ],
      ['lead', 'GET', `/bids/task/${taskId}?limit=0`, undefined, 'limit'],
      ['lead', 'GET', `/bids/task/${taskId}?status=open`, undefined, 'status'],
      ['lead', 'GET', '/bids/not-a-uuid', undefined, 'id'],
      ['lead', 'POST', `/bids/${crypto.randomUUID()}/accept`, { settleCredits: 'maybe' }, 'settleCredits'],
    ];
    for (const [who, method, path, body, field] of bad) {
      const r = await req(method, path, who === 'lead' ? lead : tokens[who]!, body);
      t.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      t.match(r.body.error, new RegExp(`^${field}: `), `names ${field}`);
    }
    t.equal(
      (await req('POST', '/bids', tokens.w1!, { taskId: 'no-such-task', swarmId: sid, bidAmount: 1 })).status,
      404,
    );
    t.equal((await req('POST', '/bids', tokens.w1!, { taskId, swarmId: 'nope', bidAmount: 1 })).status, 404);
    t.equal((await req('GET', `/bids/${crypto.randomUUID()}`, lead)).status, 404);
    t.equal((await req('POST', `/bids/task/${taskId}/evaluate`, tokens.w1!, {})).status, 403, 'leads evaluate');
    t.same((await req('POST', `/bids/task/${taskId}/evaluate`, lead, {})).body, { evaluations: [], count: 0 });
  });

  await t.test('another team sees nothing', async (t) => {
    const taskId = await newTask('alpha only');
    const id = (await bidOn('w1', taskId, 1)).body.id as string;
    t.equal((await req('GET', `/bids/${id}`, beta)).status, 404);
    t.equal((await req('GET', `/bids/task/${taskId}`, beta)).status, 404);
    t.equal((await req('POST', `/bids/${id}/accept`, beta, {})).status, 404);
    t.equal((await req('POST', `/bids/task/${taskId}/auction`, beta, {})).status, 404);
    t.equal((await req('POST', `/bids/task/${taskId}/evaluate`, beta, {})).status, 404);
    t.equal((await req('GET', `/bids/${sid}/stats`, beta)).status, 404);
    t.equal((await req('GET', `/bids/${id}`, lead)).body.status, 'pending', 'untouched');
  });

  for (const handle of ['w1', 'w2', 'w3']) await req('POST', `/orchestrate/dismiss/${handle}`, lead);
});
