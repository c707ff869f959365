/**
 * A worker's handle is its agent's handle. Spawning over an agent that is not the team's own
 * worker used to register it again as a worker: a spawn named `lead` demoted the team lead and
 * the new worker's token read the lead's mail. Now it is a 409 naming the agent, checked again
 * when a queued spawn starts; the team's own stopped worker can still be spawned again.
 */
import t from 'tap';
import { startWorkerFleet } from '../../test/kit/index.js';

t.test("a spawn over another agent's handle is a 409 naming it; nothing about that agent changes", async (t) => {
  const w = await startWorkerFleet(t, { max: 1 });
  const { fleet } = w;
  const lead = { token: w.lead };
  await fleet.request('POST', '/mail', { token: w.lead, body: { from: 'lead', to: 'lead', body: 'LEAD-ONLY' } });

  const overLead = await w.spawn('lead', { initialPrompt: 'hi' });
  t.equal(overLead.status, 409);
  t.same(overLead.body, {
    error: 'handle: lead is already an agent of your team (team-lead); a worker needs a handle of its own',
    code: 'WORKERS_HANDLE_IS_AGENT',
    field: 'handle',
  });
  const agents = (await fleet.request('GET', '/teams/alpha/agents', lead)).body as {
    handle: string;
    agentType: string;
  }[];
  t.match(
    agents.find((a) => a.handle === 'lead'),
    { agentType: 'team-lead' },
    'the lead is still a lead',
  );
  t.equal((await fleet.request('GET', '/orchestrate/workers', lead)).body.length, 0, 'no worker record was left');
  t.equal((await fleet.request('GET', '/mail/lead', lead)).status, 200, "the lead's token still works");

  // A worker agent registered by hand (it runs elsewhere) is not the fleet's to take over either.
  const ann = await fleet.request('POST', '/auth', { token: w.lead, body: { handle: 'ann', teamName: 'alpha' } });
  t.equal(ann.status, 200);
  const overAnn = await w.spawn('ann', { initialPrompt: 'hi' });
  t.match(overAnn, { status: 409, body: { code: 'WORKERS_HANDLE_IS_AGENT', error: /ann .*\(worker\)/ } });
  const annToken = ann.body.token as string;
  t.equal((await fleet.request('GET', '/mail/ann', { token: annToken })).status, 200, "ann's token still works");

  // The team's own worker, stopped, is spawned again under its handle.
  t.equal((await w.spawn('w1', { initialPrompt: 'hi' })).status, 201);
  await w.waitWorker('w1', (x) => x.state === 'idle', 'idle');
  // Full (max 1): a spawn of a free handle is queued; its handle is then registered by hand...
  const queued = await w.spawn('later', { initialPrompt: 'hi' });
  t.equal(queued.status, 202, JSON.stringify(queued.body));
  await fleet.request('POST', '/auth', { token: w.lead, body: { handle: 'later', teamName: 'alpha' } });
  t.equal((await fleet.request('POST', '/orchestrate/dismiss/w1', lead)).status, 200);
  // ...so when the slot frees, the queued spawn fails with the reason instead of taking it over.
  let item: { status: string; error: string | null } | undefined;
  for (let i = 0; i < 100 && item?.status !== 'failed'; i++) {
    item = (await fleet.request('GET', `/spawn-queue/${queued.body.id}`, lead)).body;
    if (item?.status !== 'failed') await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.match(item, { status: 'failed', error: /later is already an agent of your team \(worker\)/ });

  t.equal((await w.spawn('w1', { initialPrompt: 'again' })).status, 201, 'w1, stopped, is spawned again');
  await w.waitWorker('w1', (x) => x.state === 'idle', 'idle again');
});
