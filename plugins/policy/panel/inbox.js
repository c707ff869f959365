// @ts-check
// Approvals in the needs-you inbox (leads only: the approvals are theirs, and their events come on the leads'
// guarded topic, which the tab joins with follow('policy', 'leads')): every pending ask or item from GET
// /approvals at sign-in and after a resync, then approval_requested puts one and approval_decided drops it.
// Approve and Deny decide inline (POST /approvals/:id/decide); an ask is dropped when it expires.

const itemKey = (/** @type {string} */ id) => `policy:approval:${id}`;

/** One line of what waits: the tool call (agent, tool, summary) or the item (its kind and subject). */
export function approvalTitle(/** @type {any} */ approval) {
  if (approval.kind === 'tool_call') return `${approval.agent} wants to run ${approval.tool}: ${approval.summary}`;
  return `${approval.kind} for ${approval.agent}: ${approval.summary}`;
}

/** Why it asks: the rule and its reason, two-person, when it expires. */
export function approvalDetail(/** @type {any} */ approval) {
  const parts = [];
  if (approval.rule) parts.push(`rule ${approval.rule.name}`);
  if (approval.reason) parts.push(approval.reason);
  if (approval.twoPerson) parts.push('two-person: the requester cannot approve it');
  if (approval.expiresAt) parts.push(`expires ${new Date(approval.expiresAt).toLocaleTimeString()} (denied then)`);
  return parts.join(' · ');
}

/**
 * @param {any} fleet
 * @returns {() => void}
 */
export function policyInbox(fleet) {
  if (!fleet.identity.isLead) return () => {};
  /** @type {Map<string, ReturnType<typeof setTimeout> | undefined>} */
  const held = new Map();
  let closed = false;

  const drop = (/** @type {string} */ id) => {
    if (!held.has(id)) return;
    clearTimeout(held.get(id));
    held.delete(id);
    fleet.inbox.drop(itemKey(id));
  };

  const put = (/** @type {any} */ approval) => {
    if (approval.status !== 'pending') return drop(approval.id);
    clearTimeout(held.get(approval.id));
    const decide = (/** @type {'approve' | 'deny'} */ decision) => async () => {
      const decided = await fleet.api('POST', `/approvals/${encodeURIComponent(approval.id)}/decide`, { decision });
      drop(approval.id);
      return { decision: decided?.status ?? decision };
    };
    // An ask not decided in time is denied by the fleet: it leaves the inbox then.
    const expires = approval.expiresAt ? Date.parse(approval.expiresAt) - Date.now() : NaN;
    const timer = Number.isFinite(expires)
      ? setTimeout(() => drop(approval.id), Math.max(0, expires) + 500)
      : undefined;
    held.set(approval.id, timer);
    fleet.inbox.put({
      key: itemKey(approval.id),
      kind: 'approval',
      title: approvalTitle(approval),
      detail: approvalDetail(approval),
      at: approval.createdAt,
      severity: 'action',
      // A tool call's worker, where its transcript shows what it was doing; an item's place is the policy view.
      link: approval.kind === 'tool_call' ? `#/worker/${encodeURIComponent(approval.agent)}` : '#/policy',
      actions: [
        { label: 'Approve', leadOnly: true, run: decide('approve') },
        { label: 'Deny', leadOnly: true, run: decide('deny') },
      ],
    });
  };

  const load = async () => {
    const pending = await fleet.api('GET', '/approvals?status=pending&limit=200');
    if (closed) return;
    const list = Array.isArray(pending) ? pending : [];
    const ids = new Set(list.map((approval) => approval.id));
    for (const id of [...held.keys()]) if (!ids.has(id)) drop(id);
    for (const approval of list) put(approval);
  };
  const reload = () => void load().catch(() => undefined);

  const leave = fleet.follow('policy', 'leads');
  const unsubscribe = fleet.subscribe(['approval_requested', 'approval_decided'], (/** @type {any} */ event) => {
    if (!event.approval) return;
    if (event.type === 'approval_requested') put(event.approval);
    else drop(event.approval.id);
  });
  const unResync = fleet.onResync(reload);
  reload();
  return () => {
    closed = true;
    unsubscribe();
    unResync();
    leave();
    for (const id of [...held.keys()]) drop(id);
  };
}
