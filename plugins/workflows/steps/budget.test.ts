/**
 * A step's own budget (`budget: { maxTokens?, maxCostUsd? }`): a spawn step's worker (the fake agent, whose
 * turn reports 100 input and 10 output tokens and $0.0012 by default) spends what the sessions plugin
 * records; over the step's budget the step fails saying what it spent, within it the step succeeds.
 */
import t from 'tap';
import { as, fakeAgentWorkers, registerTeam, startFleet } from '../../../test/kit/index.js';
import { stepFleet } from './step-fleet.fixture.js';

const fleet = await startFleet(t, {
  plugins: {
    auth: true,
    mail: true,
    tasks: true,
    sessions: true,
    workers: fakeAgentWorkers({ max: 10 }),
    workflows: { pollMs: 20, seedExamples: false },
  },
  config: { server: { rateLimit: { max: 1_000_000 } } },
});
const alpha = await registerTeam(fleet, 'alpha', []);
const w = stepFleet(fleet, (method, path, body) => as(fleet, alpha.lead, method, path, body));
const spawn = (key: string, budget: Record<string, number>) => ({
  key,
  type: 'spawn',
  config: { agentRole: key, task: 'one turn', workingDir: fleet.dataDir, dismissWhenDone: true },
  budget,
});

t.test('a spawn step over its token or cost budget fails, saying what was spent', async (t) => {
  for (const [key, budget, error] of [
    ['tokens', { maxTokens: 50 }, /^budget exceeded: 110 tokens > 50$/],
    ['dollars', { maxCostUsd: 0.001 }, /^budget exceeded: \$0\.0012 > \$0\.001$/],
  ] as const) {
    const execution = await w.settled(await w.start(await w.define([spawn(key, budget)])), 30_000);
    t.equal(execution.status, 'failed', `${key}: the execution failed`);
    const step = await w.step(execution.id, key);
    t.equal(step.status, 'failed', `${key}: the step failed`);
    t.match(step.error, error, `${key}: ${step.error}`);
  }
});

t.test('a spawn step within its budget succeeds', async (t) => {
  const execution = await w.settled(await w.start(await w.define([spawn('within', { maxTokens: 1000 })])), 30_000);
  t.equal(execution.status, 'completed', JSON.stringify(await w.steps(execution.id)));
  t.equal((await w.step(execution.id, 'within')).output.result, 'ack: one turn');
});
