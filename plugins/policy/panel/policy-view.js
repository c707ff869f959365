// @ts-check
// The policy view: what waits for a lead (pending approvals, decided inline), the team's rules, and the calls
// the policy stopped lately. Rules are any agent's to read; approvals and violations are the leads'.
import {
  Badge,
  Button,
  ErrorNote,
  html,
  Table,
  timeAgo,
  useApi,
  useEffect,
  useFleet,
  useState,
  View,
} from 'fleet-dashboard';
import { approvalDetail, approvalTitle } from './inbox.js';

const DECISION_TONE = { block: 'danger', ask: 'warning', allow: 'ok' };
/** A new vnode each time: one vnode is never mounted twice. */
const twoPerson = () => html`<${Badge} tone="info">two-person<//>`;
const OUTCOME_TONE = { blocked: 'danger', denied: 'danger', expired: 'warning' };

export function PolicyView() {
  const fleet = useFleet();
  const lead = fleet.identity.isLead;
  // The approvals' and violations' events come on the leads' guarded topic.
  useEffect(() => (lead ? fleet.follow('policy', 'leads') : undefined), [fleet, lead]);
  const rules = useApi('/policies');
  const stats = useApi('/policies/stats', {
    refreshOn: ['policy_violation', 'approval_requested', 'approval_decided'],
  });
  const approvals = useApi(lead && '/approvals?status=pending&limit=200', {
    refreshOn: ['approval_requested', 'approval_decided'],
  });
  const violations = useApi(lead && '/policies/violations?limit=50', { refreshOn: ['policy_violation'] });

  const counts = stats.data
    ? html`<span class="fd-muted" data-count="rules"
          >${stats.data.rules?.enabled ?? 0} of ${stats.data.rules?.total ?? 0} rules on</span
        >
        ${stats.data.rules?.builtin ? html`<${Badge} tone="info">built-in rules on<//>` : null}`
    : null;

  return html`<${View} id="policy" title="Policy" tools=${counts}>
    ${
      lead
        ? html`<section class="fd-card" data-section="approvals">
            <h2 class="fd-card-title">Waiting for a lead</h2>
            <${ErrorNote} error=${approvals.error} title="Could not load the approvals" onRetry=${approvals.reload} />
            <${Approvals} approvals=${approvals.data ?? []} onDecided=${approvals.reload} />
          </section>`
        : null
    }
    <section class="fd-card" data-section="rules">
      <h2 class="fd-card-title">Rules</h2>
      <${ErrorNote} error=${rules.error} title="Could not load the rules" onRetry=${rules.reload} />
      <${Table}
        rows=${Array.isArray(rules.data) ? rules.data : []}
        rowKey=${(/** @type {any} */ rule) => rule.id}
        rowProps=${(/** @type {any} */ rule) => ({ 'data-policy': rule.id, class: rule.enabled ? '' : 'fd-muted' })}
        empty=${rules.loading ? 'Loading…' : 'No rules: every call goes by the worker’s permission mode.'}
        columns=${[
          { key: 'name', label: 'Rule', render: (/** @type {any} */ rule) => html`<strong>${rule.name}</strong>` },
          {
            key: 'decision',
            label: 'Decision',
            render: (/** @type {any} */ rule) =>
              html`<${Badge}
                tone=${DECISION_TONE[/** @type {keyof typeof DECISION_TONE} */ (rule.decision)] ?? 'neutral'}
                >${rule.decision}<//
              >`,
          },
          { key: 'tool', label: 'Tool', render: (/** @type {any} */ rule) => html`<code>${rule.tool}</code>` },
          { key: 'pattern', label: 'Pattern', render: (/** @type {any} */ rule) => html`<code>${rule.pattern}</code>` },
          { key: 'reason', label: 'Reason' },
          { key: 'priority', label: 'Priority', align: 'right' },
          {
            key: 'enabled',
            label: 'On',
            render: (/** @type {any} */ rule) =>
              html`${rule.enabled ? 'yes' : 'no'} ${rule.twoPerson ? twoPerson() : null}`,
          },
        ]}
      />
    </section>
    ${
      lead
        ? html`<section class="fd-card" data-section="violations">
            <h2 class="fd-card-title">Recent violations</h2>
            <${ErrorNote}
              error=${violations.error}
              title="Could not load the violations"
              onRetry=${violations.reload}
            />
            <${Table}
              rows=${Array.isArray(violations.data) ? violations.data : []}
              rowKey=${(/** @type {any} */ entry) => entry.id}
              rowProps=${(/** @type {any} */ entry) => ({ 'data-violation': entry.id })}
              empty=${violations.loading ? 'Loading…' : 'No call was stopped.'}
              columns=${[
                {
                  key: 'at',
                  label: 'When',
                  render: (/** @type {any} */ entry) => html`<span title=${entry.at}>${timeAgo(entry.at)}</span>`,
                },
                {
                  key: 'outcome',
                  label: 'Outcome',
                  render: (/** @type {any} */ entry) =>
                    html`<${Badge}
                      tone=${OUTCOME_TONE[/** @type {keyof typeof OUTCOME_TONE} */ (entry.outcome)] ?? 'neutral'}
                      >${entry.outcome}<//
                    >`,
                },
                { key: 'agent', label: 'Agent' },
                {
                  key: 'call',
                  label: 'Call',
                  render: (/** @type {any} */ entry) => html`<code>${entry.tool}</code> ${entry.summary}`,
                },
                { key: 'rule', label: 'Rule', render: (/** @type {any} */ entry) => entry.rule?.name ?? '—' },
                {
                  key: 'reason',
                  label: 'Why',
                  render: (/** @type {any} */ entry) =>
                    html`${entry.reason ?? ''}${
                      entry.decidedBy && !['rule', 'gate'].includes(entry.decidedBy)
                        ? html` <span class="fd-muted">(by ${entry.decidedBy})</span>`
                        : null
                    }`,
                },
              ]}
            />
          </section>`
        : html`<p class="fd-muted">Approvals and violations are for team leads.</p>`
    }
  <//>`;
}

/** Pending approvals, each with Approve and Deny (the outcome shows on its row). */
function Approvals({ approvals, onDecided }) {
  if (approvals.length === 0) return html`<div class="fd-muted" data-empty="approvals">Nothing waits for you.</div>`;
  return html`<div class="fd-stack">
    ${approvals.map(
      (/** @type {any} */ approval) =>
        html`<${ApprovalRow} key=${approval.id} approval=${approval} onDecided=${onDecided} />`,
    )}
  </div>`;
}

function ApprovalRow({ approval, onDecided }) {
  const fleet = useFleet();
  const [outcome, setOutcome] = useState(/** @type {string | null} */ (null));
  const decide = (/** @type {'approve' | 'deny'} */ decision) => async () => {
    try {
      const decided = await fleet.api('POST', `/approvals/${encodeURIComponent(approval.id)}/decide`, { decision });
      setOutcome(decided?.status ?? decision);
      onDecided();
    } catch (/** @type {any} */ failure) {
      setOutcome(`${failure?.message ?? failure}${failure?.code ? ` (${failure.code})` : ''}`);
    }
  };
  const input =
    approval.input === null || approval.input === undefined ? null : JSON.stringify(approval.input, null, 2);
  return html`<div class="fd-row" data-approval=${approval.id}>
    <div style="flex:1">
      <div>
        <strong>${approvalTitle(approval)}</strong> <span class="fd-muted">${timeAgo(approval.createdAt)}</span>
      </div>
      <div class="fd-muted fd-small">${approvalDetail(approval)}</div>
      ${
        input
          ? html`<details>
              <summary class="fd-small">Input</summary>
              <pre class="fd-pre">${input}</pre>
            </details>`
          : null
      }
      ${outcome ? html`<div class="fd-small" data-outcome>${outcome}</div>` : null}
    </div>
    <${Button} kind="primary" small data-action="approve" onClick=${decide('approve')}>Approve<//>
    <${Button} kind="danger" small data-action="deny" onClick=${decide('deny')}>Deny<//>
  </div>`;
}
