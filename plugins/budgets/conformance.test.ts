import t from 'tap';
import { runConformance } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

t.test('budgets: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startCoordination(t, {
    plugins: { auth: true, mail: true, tasks: true, sessions: true, budgets: true },
  });
  const teamBudget = { scope: { kind: 'team' }, unit: 'turns', limit: 5, period: 'day' };
  // A budget's id is no secret (the intruder gives it; a 404 names it): the list must not show it.
  const create = async ({ alpha, call }: any) => call(alpha.lead, 'POST', '/budgets', teamBudget);
  await runConformance(t, {
    fleet,
    plugin: 'budgets',
    fixtures: {
      createBudget: async () => ({ input: teamBudget, otherTeam: 'own' }),
      listBudgets: async (context) => {
        const budget = await create(context);
        return { input: {}, as: 'worker', otherTeam: 'own', secrets: [budget.id] };
      },
      getBudget: async (context) => {
        const budget = await create(context);
        return { input: { id: budget.id }, as: 'worker', otherTeam: 'deny' };
      },
      updateBudget: async (context) => {
        const budget = await create(context);
        return { input: { id: budget.id, limit: 9 } };
      },
      deleteBudget: async (context) => {
        const budget = await create(context);
        return { input: { id: budget.id } };
      },
      setBudget: async (context) => {
        const budget = await create(context);
        return { input: { id: budget.id, limit: 7 } };
      },
    },
  });
});
