const KEY = 'budgets:over:';

const amount = (/** @type {number} */ value, /** @type {string} */ unit) =>
  unit === 'usd' ? `$${value.toFixed(2)}` : `${Math.round(value).toLocaleString('en-US')} ${unit}`;

/** A quarter above what was spent (or the limit, if more): enough to resume the workers it paused. */
function raised(/** @type {any} */ budget) {
  const target = Math.max(budget.limit, budget.spent) * 1.25;
  return budget.unit === 'usd' ? Math.ceil(target * 100) / 100 : Math.ceil(target);
}

/**
 * A needs-you item per budget that is over (GET /budgets at sign-in, then budget_exceeded), dropped when it
 * is cleared, deleted, or changed so that it is no longer over. A lead may raise an API budget's limit to a
 * quarter above what was spent (which resumes the workers it paused); config budgets change in fleet.config.ts.
 * @param {any} fleet
 */
export function inbox(fleet) {
  let stopped = false;
  const show = (/** @type {any} */ budget, /** @type {string[] | undefined} */ paused) => {
    const key = `${KEY}${budget.id}`;
    if (!budget.over) {
      fleet.inbox.drop(key);
      return;
    }
    const limit = budget.limit + (budget.extension ?? 0);
    const who = paused ?? (budget.paused ?? []).map((/** @type {any} */ p) => p.handle ?? p);
    const scope = `${budget.scope.kind}${budget.scope.id ? ` ${budget.scope.id}` : ''}`;
    fleet.inbox.put({
      key,
      kind: 'budget',
      title: `Budget over: ${scope}, ${budget.period === 'total' ? 'in total' : `this ${budget.period}`}`,
      detail:
        `Spent ${amount(budget.spent, budget.unit)} of ${amount(limit, budget.unit)}.` +
        (who.length ? ` Paused: ${who.join(', ')}.` : ''),
      at: budget.updatedAt ?? Date.now(),
      severity: 'warning',
      link: '#/costs',
      actions:
        budget.source === 'config'
          ? []
          : [
              {
                label: `Raise the limit to ${amount(raised(budget), budget.unit)}`,
                leadOnly: true,
                run: () => fleet.api('PATCH', `/budgets/${encodeURIComponent(budget.id)}`, { limit: raised(budget) }),
              },
            ],
    });
  };
  const refetch = (/** @type {string} */ id) =>
    fleet.api('GET', `/budgets/${encodeURIComponent(id)}`).then(
      (/** @type {any} */ budget) => !stopped && show(budget),
      () => !stopped && fleet.inbox.drop(`${KEY}${id}`),
    );

  const unsubscribe = fleet.subscribe(
    ['budget_exceeded', 'budget_cleared', 'budget_deleted', 'budget_updated'],
    (/** @type {any} */ event) => {
      if (event.type === 'budget_exceeded' && event.budget) show({ ...event.budget, over: true }, event.paused);
      else if (event.type === 'budget_cleared' || event.type === 'budget_deleted')
        fleet.inbox.drop(`${KEY}${event.id}`);
      else if (event.budget?.id) void refetch(event.budget.id);
    },
  );
  fleet.api('GET', '/budgets').then(
    (/** @type {any[]} */ budgets) => {
      if (stopped || !Array.isArray(budgets)) return;
      for (const budget of budgets) if (budget.over) show(budget);
    },
    () => {},
  );
  return () => {
    stopped = true;
    unsubscribe();
  };
}
