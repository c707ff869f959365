import t from 'tap';
import { type FixtureContext, runConformance } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

const SECRET = 'ALPHA-POLICY-SECRET';

/** A rule of team alpha, made by its lead. */
const rule = async ({ alpha, call }: FixtureContext, name: string, decision = 'block') =>
  call(alpha.lead, 'POST', '/policies', {
    name,
    decision,
    tool: 'Bash',
    pattern: `${SECRET}-${name}`,
    reason: `${SECRET} reason`,
  });

/** A pending ask of alpha's first worker: its hook checked a call an ask rule matches. */
const ask = async (context: FixtureContext, name: string) => {
  await rule(context, name, 'ask');
  const answer = await context.call(context.alpha.workers[0]!, 'POST', '/policies/check', {
    tool: 'Bash',
    input: { command: `echo ${SECRET}-${name}` },
  });
  return answer.approvalId as string;
};

t.test('policy: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  await runConformance(t, {
    fleet,
    plugin: 'policy',
    fixtures: {
      createPolicy: async () => ({
        input: { name: 'no-force', decision: 'block', tool: 'Bash', pattern: 'push --force', reason: 'no' },
        otherTeam: 'own',
      }),
      listPolicies: async (context) => {
        await rule(context, 'listed');
        return { input: {}, otherTeam: 'own', secrets: [SECRET] };
      },
      getPolicy: async (context) => ({ input: { id: (await rule(context, 'got')).id }, secrets: [SECRET] }),
      updatePolicy: async (context) => ({
        input: { id: (await rule(context, 'updated')).id, priority: 7 },
        secrets: [SECRET],
        skipAgreement: 'each call changes updatedAt',
      }),
      deletePolicy: async (context) => ({
        input: { id: (await rule(context, 'deleted')).id },
        secrets: [SECRET],
        skipAgreement: 'the first call deletes it',
      }),
      evaluatePolicy: async (context) => {
        await rule(context, 'evaluated');
        return {
          input: { tool: 'Bash', input: { command: `echo ${SECRET}-evaluated` } },
          otherTeam: 'own',
          secrets: [SECRET],
        };
      },
      checkToolCall: async () => ({
        input: { tool: 'Read', input: { file_path: '/tmp/nothing' } },
        as: 'worker',
        otherTeam: 'own',
      }),
      listViolations: async (context) => {
        await rule(context, 'violated');
        await context.call(context.alpha.workers[0]!, 'POST', '/policies/check', {
          tool: 'Bash',
          input: { command: `echo ${SECRET}-violated` },
        });
        return { input: {}, otherTeam: 'own', secrets: [SECRET] };
      },
      listAudit: async () => ({ input: {}, otherTeam: 'own', secrets: [SECRET] }),
      policyStats: async () => ({ input: {}, otherTeam: 'own', secrets: [SECRET] }),
      listBuiltinRules: async () => ({ input: {}, otherTeam: 'own' }),
      setBuiltinRules: async () => ({ input: { enabled: true }, otherTeam: 'own' }),
      listApprovals: async (context) => {
        await ask(context, 'inbox');
        return { input: {}, otherTeam: 'own', secrets: [SECRET] };
      },
      getApproval: async (context) => ({ input: { id: await ask(context, 'one-ask') }, secrets: [SECRET] }),
      decideApproval: async (context) => ({
        input: { id: await ask(context, 'decided'), decision: 'deny', note: 'not now' },
        secrets: [SECRET],
        skipAgreement: 'the first call decides it',
      }),
      waitApproval: async (context) => {
        const id = await ask(context, 'waited');
        await context.call(context.alpha.lead, 'POST', `/approvals/${id}/decide`, { decision: 'approve' });
        return { input: { id }, as: 'worker', secrets: [SECRET], skipAgreement: 'it has no tool' };
      },
    },
  });
});
