import { randomUUID } from 'node:crypto';
import t from 'tap';
import { type FixtureContext, type Fixtures, runConformance } from '../../test/kit/conformance.js';
import { fakeAgentWorkers, startFleet, waitFor } from '../../test/kit/index.js';

/**
 * Every operation of the plugin conforms (401, other teams, required fields, route and tool agree).
 * Fixtures of the definitions, executions and triggers are here; each part (missions, orchestrate,
 * templates) lends its own from `<part>/conformance-fixtures.ts` (`fixtures`), loaded when present.
 */
const PARTS = ['missions', 'orchestrate', 'templates'];

async function partFixtures(): Promise<Fixtures> {
  const all: Fixtures = {};
  for (const part of PARTS) {
    const path = `./${part}/conformance-fixtures.js`;
    const loaded = (await import(path).catch(() => undefined)) as { fixtures?: Fixtures } | undefined;
    Object.assign(all, loaded?.fixtures ?? {});
  }
  return all;
}

t.test('workflows: every operation conforms', async (t) => {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      // Missions need a worker: the fake agent's.
      workers: fakeAgentWorkers({ max: 40 }),
      workflows: { pollMs: 20, seedExamples: false },
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const workflow = async ({ alpha, call }: FixtureContext, steps?: unknown[]) =>
    (
      await call(alpha.lead, 'POST', '/workflows', {
        name: `c-${randomUUID().slice(0, 8)}`,
        definition: { steps: steps ?? [{ key: 'hold', type: 'wait', config: { durationMs: 3_600_000 } }] },
      })
    ).id as string;
  const execution = async (context: FixtureContext) => {
    const id = await workflow(context);
    return (await context.call(context.alpha.lead, 'POST', `/workflows/${id}/start`, {})).id as string;
  };
  /** A running execution whose one step waits (an hour). */
  const waitingStep = async (context: FixtureContext) => {
    const id = await execution(context);
    return waitFor('a waiting step', async () => {
      const steps = (await context.call(context.alpha.lead, 'GET', `/executions/${id}/steps`)) as any[];
      return steps[0]?.status === 'waiting' ? { execution: id, step: steps[0].id as string } : undefined;
    });
  };
  const trigger = async (context: FixtureContext) => {
    const id = await workflow(context);
    return (
      await context.call(context.alpha.lead, 'POST', `/workflows/${id}/triggers`, {
        triggerType: 'event',
        config: { eventType: 'task_created' },
      })
    ).id as string;
  };
  await runConformance(t, {
    fleet,
    plugin: 'workflows',
    fixtures: {
      ...(await partFixtures()),
      createWorkflow: async () => ({
        input: {
          name: `c-${randomUUID().slice(0, 8)}`,
          definition: { steps: [{ key: 'a', type: 'script', config: { script: '1' } }] },
        },
        otherTeam: 'own',
      }),
      listWorkflows: async () => ({ input: {}, as: 'worker', otherTeam: 'own' }),
      getWorkflow: async (context) => {
        const id = await workflow(context);
        return { input: { id }, as: 'worker', secrets: [id] };
      },
      updateWorkflow: async (context) => ({
        input: { id: await workflow(context), description: 'changed' },
        skipAgreement: 'each call bumps the version',
      }),
      deleteWorkflow: async (context) => ({ input: { id: await workflow(context) } }),
      startWorkflow: async (context) => ({ input: { id: await workflow(context), inputs: {} } }),
      listExecutions: async () => ({ input: {}, as: 'worker', otherTeam: 'own', skipAgreement: 'executions move' }),
      getExecution: async (context) => {
        const id = await execution(context);
        return { input: { id }, as: 'worker', secrets: [id], skipAgreement: 'executions move' };
      },
      executionSteps: async (context) => ({
        input: { id: await execution(context) },
        as: 'worker',
        skipAgreement: 'steps move',
      }),
      executionEvents: async (context) => ({
        input: { id: await execution(context) },
        as: 'worker',
        skipAgreement: 'events are added',
      }),
      pauseExecution: async (context) => ({ input: { id: (await waitingStep(context)).execution } }),
      resumeExecution: async (context) => {
        const { execution: id } = await waitingStep(context);
        await context.call(context.alpha.lead, 'POST', `/executions/${id}/pause`);
        return { input: { id } };
      },
      cancelExecution: async (context) => ({ input: { id: await execution(context) } }),
      retryStep: async (context) => {
        const { execution: id, step } = await waitingStep(context);
        await context.call(context.alpha.lead, 'POST', `/steps/${step}/complete`, { error: 'failed by hand' });
        await waitFor('the execution failed', async () =>
          (await context.call(context.alpha.lead, 'GET', `/executions/${id}`)).status === 'failed' ? true : undefined,
        );
        return { input: { id: step } };
      },
      completeStep: async (context) => ({ input: { id: (await waitingStep(context)).step, output: { done: true } } }),
      createTrigger: async (context) => ({
        input: { id: await workflow(context), triggerType: 'event', config: { eventType: 'task_created' } },
      }),
      listTriggers: async (context) => ({ input: { id: await workflow(context) }, as: 'worker' }),
      updateTrigger: async (context) => ({ input: { id: await trigger(context), isEnabled: false } }),
      deleteTrigger: async (context) => ({ input: { id: await trigger(context) } }),
    },
  });
});
