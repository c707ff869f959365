const KEY = 'checkpoints:';

/**
 * Pending checkpoints addressed to the signed-in lead (GET /checkpoints/list/<handle>?status=pending at
 * sign-in, then checkpoint_created), each with Accept / Reject; dropped once decided (by anyone). A
 * worker's tab gets none: workers decide theirs through their tools.
 * @param {any} fleet
 */
export function inbox(fleet) {
  const { handle, isLead } = fleet.identity;
  if (!isLead) return () => {};
  let stopped = false;

  const show = (/** @type {any} */ checkpoint) => {
    if (checkpoint.toHandle !== handle || checkpoint.status !== 'pending') return;
    const key = `${KEY}${checkpoint.id}`;
    const goal = checkpoint.checkpoint?.goal;
    const now = checkpoint.checkpoint?.now;
    fleet.inbox.put({
      key,
      kind: 'checkpoint',
      title: `Checkpoint from ${checkpoint.fromHandle}${goal ? `: ${goal}` : ''}`,
      detail: now ? `Now: ${now}` : undefined,
      at: checkpoint.createdAt ?? Date.now(),
      severity: 'action',
      actions: [
        {
          label: 'Accept',
          leadOnly: true,
          run: () => fleet.api('POST', `/checkpoints/${checkpoint.id}/accept`, {}).then(() => fleet.inbox.drop(key)),
        },
        {
          label: 'Reject',
          leadOnly: true,
          run: () => fleet.api('POST', `/checkpoints/${checkpoint.id}/reject`, {}).then(() => fleet.inbox.drop(key)),
        },
      ],
    });
  };

  const unsubscribe = fleet.subscribe(
    ['checkpoint_created', 'checkpoint_accepted', 'checkpoint_rejected'],
    (/** @type {any} */ event) => {
      const summary = event.checkpoint;
      if (!summary || summary.toHandle !== handle) return;
      if (event.type !== 'checkpoint_created') {
        fleet.inbox.drop(`${KEY}${summary.id}`);
        return;
      }
      // The event carries no text: read the checkpoint for its goal.
      fleet.api('GET', `/checkpoints/${summary.id}`).then(
        (/** @type {any} */ full) => !stopped && show(full),
        () => !stopped && show({ ...summary, createdAt: event.ts }),
      );
    },
  );
  fleet.api('GET', `/checkpoints/list/${encodeURIComponent(handle)}?status=pending&limit=100`).then(
    (/** @type {any[]} */ list) => {
      if (stopped || !Array.isArray(list)) return;
      for (const checkpoint of list) show(checkpoint);
    },
    () => {},
  );
  return () => {
    stopped = true;
    unsubscribe();
  };
}
