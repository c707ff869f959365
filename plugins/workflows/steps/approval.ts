import * as v from 'valibot';
import type { PolicyApi } from '../../policy/index.js';
import { text, typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun } from './kind.js';
import { configOf, failed, guarded, saveMore, savedState, succeeded, waiting } from './outcome.js';
import { apiOf, policyOf } from './plugins.js';
import { actingIdentity } from './worker-steps.js';

/** The kind of the items this step opens in the policy plugin's approval inbox. */
export const APPROVAL_KIND = 'workflow_step';

/**
 * `approval`: an item in the policy plugin's approval inbox for a team lead to decide; approved succeeds,
 * denied (or withdrawn) fails, with who decided and their note as the evidence. The item's key is the step's
 * attempt, so opening it again after a restart returns the same one.
 */
export const approvalConfig = v.strictObject({
  type: typeOf('approval'),
  summary: text({ min: 1, max: 1000 }),
  reason: v.optional(text({ max: 2000 })),
  /** Anything the lead should see with it (JSON). */
  details: v.optional(v.unknown()),
});

type Approval = Awaited<ReturnType<PolicyApi['approvals']['openItem']>>;

const keyOf = (step: StepRun) => `${step.execution.id}:${step.step.id}:${step.step.attempt}`;

/** After a restart between the open and the save of its id: this attempt's item, decided or not. */
async function findItem(policy: PolicyApi, step: StepRun): Promise<Approval | undefined> {
  const items = await policy.approvals.list(step.team, { kind: APPROVAL_KIND, limit: 100, offset: 0 });
  return items.find((item) => item.key === keyOf(step));
}

async function run(step: StepRun): Promise<StepOutcome> {
  const config = configOf(approvalConfig, step);
  const policy = policyOf(step);
  let id = savedState(step)?.approvalId as string | undefined;
  if (id === undefined) {
    const opening = savedState(step)?.opening === true;
    let item = opening ? await findItem(policy, step) : undefined;
    if (!item) {
      await saveMore(step, { opening: true });
      const requester = await actingIdentity(step);
      item = await policy.approvals.openItem({
        teamName: step.team,
        kind: APPROVAL_KIND,
        key: keyOf(step),
        summary: config.summary,
        reason: config.reason ?? null,
        subject: {
          executionId: step.execution.id,
          workflowId: step.execution.workflowId,
          step: step.step.key,
          ...(config.details !== undefined ? { details: config.details } : {}),
        },
        requester: { uid: requester.uid, handle: requester.handle },
      });
    }
    id = item.id;
    await saveMore(step, { approvalId: id });
  }
  const row = await policy.approvals.get(step.team, id);
  if (!row) return failed(`approval ${id} is gone`);
  const status = row.status;
  const by = row.decided_by_handle ?? 'someone';
  const note = row.note ? `: ${row.note}` : '';
  const output = { approvalId: id, status, decidedBy: row.decided_by_handle, note: row.note };
  if (status === 'approved') return succeeded(output, `approval ${id} approved by ${by}${note}`);
  if (status === 'pending') return waiting();
  return failed(`approval ${id} ${status} by ${by}${note}`, { output, evidence: `approval ${id} ${status}` });
}

export const approvalKind: StepKind = {
  type: 'approval',
  config: approvalConfig,
  run: (step) => guarded(step, () => run(step)),
  async cancel(step) {
    const policy = apiOf(step).policy();
    if (policy)
      await policy.approvals.closeItem(step.team, APPROVAL_KIND, keyOf(step), 'the workflow step was cancelled');
  },
};
