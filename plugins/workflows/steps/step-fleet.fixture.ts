/**
 * The steps suites' helpers over a real fleet with the workflows plugin: define a workflow as the team's lead,
 * start it, wait for its end, read its steps. (A fixture, not a suite: tap runs *.test.ts only.)
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access,
   @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument
   -- a test fixture: it reads JSON answers, typed any on purpose as in the *.test.ts files it serves */
import type { WorkflowsApi } from '../index.js';

interface Fleet {
  kernel: { api<T>(name: string): T | undefined };
}
type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

export function stepFleet(fleet: Fleet, call: Call) {
  let n = 0;
  const api = () => fleet.kernel.api<WorkflowsApi>('workflows')!;
  const helpers = {
    api,
    async define(steps: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
      const answer = await call('POST', '/workflows', { name: `steps-${++n}`, definition: { steps, ...extra } });
      if (answer.status !== 201) throw new Error(`create: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.id as string;
    },
    /** POST /workflows with one step of this type and config: the answer (a 400 for a bad config). */
    tryDefine: (type: string, config: unknown) =>
      call('POST', '/workflows', { name: `bad-${++n}`, definition: { steps: [{ key: 's', type, config }] } }),
    async start(id: string, inputs?: Record<string, unknown>): Promise<string> {
      const answer = await call('POST', `/workflows/${id}/start`, inputs ? { inputs } : {});
      if (answer.status !== 201) throw new Error(`start: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.id as string;
    },
    execution: async (id: string) => (await call('GET', `/executions/${id}`)).body,
    steps: async (id: string) => (await call('GET', `/executions/${id}/steps`)).body as any[],
    async step(id: string, key: string) {
      return (await helpers.steps(id)).find((s) => s.stepKey === key);
    },
    /** Poll until the execution is in one of `statuses` (default: any end). */
    async settled(id: string, timeoutMs = 20_000, statuses = ['completed', 'failed', 'cancelled']) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const execution = await helpers.execution(id);
        if (statuses.includes(execution.status)) return execution;
        if (Date.now() > deadline)
          throw new Error(`execution ${id} still ${execution.status}: ${JSON.stringify(await helpers.steps(id))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stepIn(id: string, key: string, status: string, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const step = await helpers.step(id, key);
        if (step?.status === status) return step;
        if (Date.now() > deadline) throw new Error(`step ${key} not ${status}: ${JSON.stringify(step)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
  return helpers;
}
