/**
 * Bad input to every kind of swarm operation is a 400 naming the field (or a clear 403/404/409),
 * never a 500; query numbers and flags are coerced; another team sees none of it.
 */
import t from 'tap';
import { registerTeam, startCoordination } from '../../test/kit/index.js';

t.test('bad inputs: 400 with the field, never 500; other teams see nothing', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, swarm: true } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['zed']);
  const ann = workers[0]!;
  const req = (method: string, path: string, token: string, body?: unknown) =>
    fleet.request(method, path, { token, body });
  const sid = (await req('POST', '/swarms', lead.token, { name: 'one' })).body.id as string;

  const cases: [string, string, string, unknown, number, RegExp | string][] = [
    ['POST', '/swarms', lead.token, { name: 'x', maxAgents: 0 }, 400, /maxAgents/],
    ['POST', '/swarms', lead.token, { name: 'x', maxAgents: '5x' }, 400, /maxAgents/],
    ['POST', '/swarms', lead.token, { name: 'x'.repeat(101) }, 400, /name/],
    ['POST', '/swarms', ann.token, { name: 'x' }, 403, /Insufficient permissions/],
    ['GET', '/swarms/bad%20id', lead.token, undefined, 400, /id/],
    ['POST', `/swarms/${sid}/kill`, lead.token, { graceful: 'sure' }, 400, /graceful/],
    ['POST', '/blackboard', ann.token, { swarmId: sid, messageType: 'shout', payload: {} }, 400, /messageType/],
    ['POST', '/blackboard', ann.token, { swarmId: sid, messageType: 'status', payload: [1] }, 400, /payload/],
    [
      'POST',
      '/blackboard',
      ann.token,
      { swarmId: sid, messageType: 'status', payload: {}, priority: 'x' },
      400,
      /priority/,
    ],
    ['POST', '/blackboard', ann.token, { messageType: 'status', payload: {} }, 400, /swarmId/],
    ['POST', '/blackboard', ann.token, { swarmId: 'swarm-none', messageType: 'status', payload: {} }, 404, /not found/],
    ['GET', `/blackboard/${sid}?limit=0`, ann.token, undefined, 400, /limit/],
    ['GET', `/blackboard/${sid}?unreadOnly=yes`, ann.token, undefined, 400, /unreadOnly/],
    ['POST', '/blackboard/mark-read', ann.token, { messageIds: ['not-a-uuid'] }, 400, /messageIds/],
    ['POST', '/blackboard/mark-read', ann.token, { messageIds: [] }, 400, /messageIds/],
    ['POST', `/blackboard/${sid}/archive-old`, lead.token, { maxAgeMs: -1 }, 400, /maxAgeMs/],
    ['POST', '/beliefs', ann.token, { swarmId: sid, subject: 's', beliefValue: 'v', confidence: 2 }, 400, /confidence/],
    [
      'POST',
      '/beliefs',
      ann.token,
      { swarmId: sid, subject: 's', beliefValue: 'v', beliefType: 'x' },
      400,
      /beliefType/,
    ],
    ['POST', '/beliefs', ann.token, { swarmId: sid, subject: '', beliefValue: 'v' }, 400, /subject/],
    ['POST', '/beliefs', ann.token, { swarmId: sid, subject: 's', beliefValue: 'v', agentHandle: 'bob' }, 403, /ann/],
    [
      'POST',
      '/beliefs/meta',
      ann.token,
      { swarmId: sid, aboutHandle: 'bob', metaType: 'x', beliefValue: 'v' },
      400,
      /metaType/,
    ],
    ['GET', `/beliefs/${sid}/ann?minConfidence=high`, ann.token, undefined, 400, /minConfidence/],
    ['GET', `/beliefs/${sid}/ann?includeExpired=maybe`, ann.token, undefined, 400, /includeExpired/],
    ['GET', `/beliefs/${sid}/consensus/db?minConfidence=1.5`, ann.token, undefined, 400, /minConfidence/],
    ['POST', '/credits/transfer', ann.token, { swarmId: sid, toHandle: 'bob', amount: 0 }, 400, /amount/],
    ['POST', '/credits/transfer', ann.token, { swarmId: sid, toHandle: 'bob', amount: 10_001 }, 400, /amount/],
    ['POST', '/credits/transfer', ann.token, { swarmId: sid, toHandle: 'bob', amount: 0.001 }, 400, /0\.01/],
    ['POST', '/credits/transfer', ann.token, { swarmId: sid, toHandle: 'ann', amount: 1 }, 400, /toHandle/],
    ['POST', '/credits/transfer', ann.token, { swarmId: sid, toHandle: 'nobody', amount: 1 }, 404, /toHandle/],
    ['POST', '/credits/transfer', ann.token, { swarmId: sid, toHandle: 'zed', amount: 1 }, 404, /toHandle/],
    [
      'POST',
      '/credits/transaction',
      lead.token,
      { swarmId: sid, agentHandle: 'ann', transactionType: 'transfer', amount: 1, reason: 'r' },
      400,
      /transactionType/,
    ],
    [
      'POST',
      '/credits/transaction',
      lead.token,
      { swarmId: sid, agentHandle: 'ann', transactionType: 'earn', amount: -1, reason: 'r' },
      400,
      /amount/,
    ],
    [
      'POST',
      '/credits/transaction',
      lead.token,
      { swarmId: sid, agentHandle: 'ann', transactionType: 'adjustment', amount: 0, reason: 'r' },
      400,
      /amount/,
    ],
    [
      'POST',
      '/credits/reputation',
      lead.token,
      { swarmId: sid, agentHandle: 'ann', success: 'yes', reason: 'r' },
      400,
      /success/,
    ],
    [
      'POST',
      '/credits/reputation',
      lead.token,
      { swarmId: sid, agentHandle: 'ann', success: true, weight: 2, reason: 'r' },
      400,
      /weight/,
    ],
    ['GET', `/credits/${sid}/leaderboard?orderBy=luck`, ann.token, undefined, 400, /orderBy/],
    ['GET', `/credits/${sid}/ann/history?sinceMs=yesterday`, ann.token, undefined, 400, /sinceMs/],
    ['GET', `/credits/${sid}/ann`, ann.token, undefined, 404, /No credit account/],
  ];
  for (const [method, path, token, body, status, error] of cases) {
    const response = await req(method, path, token, body);
    t.equal(response.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(response.body)}`);
    t.match(response.body.error, error);
  }

  // Coerced query values work; a subject with % in it is a subject, not a 500.
  await req('POST', '/beliefs', ann.token, { swarmId: sid, subject: '100% sure', beliefValue: 'yes', confidence: 0.8 });
  const consensus = await req(
    'GET',
    `/beliefs/${sid}/consensus/${encodeURIComponent('100% sure')}?minConfidence=0.7`,
    ann.token,
  );
  t.match(consensus, { status: 200, body: { subject: '100% sure', consensusValue: 'yes', agreementLevel: 1 } });
  t.equal(
    (await req('GET', `/beliefs/${sid}/ann?includeExpired=true&minConfidence=0.1&limit=5`, ann.token)).body.count,
    1,
  );
  t.equal((await req('GET', `/blackboard/${sid}?unreadOnly=true&limit=5`, ann.token)).status, 200);

  // Another team: 404 for the swarm in every part, nothing listed.
  for (const path of [`/swarms/${sid}`, `/blackboard/${sid}`, `/beliefs/${sid}/stats`, `/credits/${sid}/stats`])
    t.equal((await req('GET', path, beta.lead.token)).status, 404, path);
  const posted = await req('POST', '/blackboard', beta.workers[0]!.token, {
    swarmId: sid,
    messageType: 'status',
    payload: {},
  });
  t.equal(posted.status, 404);
  t.equal(
    (
      await req('POST', '/credits/transfer', beta.workers[0]!.token, {
        swarmId: sid,
        toHandle: beta.lead.handle,
        amount: 1,
      })
    ).status,
    404,
  );
});
