import { agentUid, type Logger, type PluginContext } from '../../core/index.js';
import type { ModelCost, SessionsApi, SpentFilter } from '../sessions/index.js';
import { type Budget, type BudgetView, describeScope, formatAmount } from './budget.js';
import type { BudgetStore } from './budget-store.js';
import { budgetsErrors } from './errors.js';
import {
  addInto,
  covers,
  type Entry,
  entryOf,
  type InFlight,
  limitOf,
  type Recorded,
  recordedOf,
  spentOf,
  standing,
  zero,
} from './ledger.js';
import { pauseOf, type PolicyPort, type WorkersPort } from './ports.js';
import { windowOf } from './windows.js';

export interface EngineDeps {
  store: BudgetStore;
  sessions: () => SessionsApi;
  workers: () => WorkersPort | undefined;
  policy: () => PolicyPort | undefined;
  emit: PluginContext['events']['emit'];
  log: Logger;
  extensionRatio: () => number;
}

const keyOf = (teamName: string, handle: string) => `${teamName}\u0000${handle}`;
const splitKey = (key: string) => key.split('\u0000') as [string, string];
const TASK_TTL_MS = 2000;

/** What a worker asks to do: spawn, send and resume (workers), assign and claim (tasks). */
export type Action = 'spawn' | 'send' | 'resume' | 'assign' | 'claim';

/**
 * The budgets at work. Each budget keeps a running total of its window, read from the accounting
 * (sessions.spent) when it is loaded, changed or its window rolls over, and added to from
 * `cost_recorded` events in between; the current turn of each worker adds its model requests
 * (`worker_request`) until its result is recorded. A budget that reaches its limit pauses the
 * workers it covers, says so once per window and asks the leads for an extension; one that is back
 * under (raised, extended, deleted, a new window) resumes the workers it paused, unless another
 * budget still holds them. Pauses are kept in the database, so a restart finds them.
 */
export class BudgetEngine {
  readonly entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, InFlight>();
  /** By budget id: the workers (team/handle keys) it paused. */
  readonly #pauses = new Map<string, Set<string>>();
  readonly #chains = new Map<string, Promise<void>>();
  readonly #tasks = new Map<string, { taskId: string | null; at: number }>();
  /** By budget id: the window it went over in and the teams its items were opened for. */
  readonly #breaches = new Map<string, { start: number; teams: Set<string> }>();
  /** Budgets whose release is queued: judged under again meanwhile, none is queued twice. */
  readonly #releasing = new Set<string>();
  #stopped = false;

  constructor(private readonly deps: EngineDeps) {}

  /** Load every budget and the pauses, then settle what the database holds against what is spent now. */
  async start(budgets: readonly Budget[]): Promise<void> {
    for (const pause of await this.deps.store.pauses())
      this.#pausesOf(pause.budgetId).add(keyOf(pause.teamName, pause.handle));
    for (const budget of budgets) this.entries.set(budget.id, entryOf(budget, Date.now()));
    await Promise.all([...this.entries.values()].map((entry) => this.#load(entry)));
    // Pauses of budgets that are gone (deleted while the server was down, a config budget removed).
    for (const id of this.#pauses.keys())
      if (!this.entries.has(id)) await this.#chain(id, () => this.#release(id, 'deleted'));
    for (const entry of this.entries.values()) this.evaluate(entry);
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Every chain of work queued so far has run (tests and stop wait for it). */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.#chains.values()];
      await Promise.all(pending);
      if ([...this.#chains.values()].every((chain, i) => chain === pending[i])) return;
    }
  }

  /** A budget to hold from now on (created), or changed: its window is read again and judged. */
  async put(budget: Budget): Promise<void> {
    const known = this.entries.get(budget.id);
    const entry = entryOf(budget, Date.now());
    if (known) entry.breached = known.breached;
    this.entries.set(budget.id, entry);
    await this.#load(entry);
    this.evaluate(entry);
    await this.#chains.get(budget.id);
  }

  /** A budget deleted: the workers it paused are resumed (unless another holds them), its item withdrawn. */
  async remove(id: string): Promise<void> {
    this.entries.delete(id);
    await this.#chain(id, () => this.#release(id, 'deleted'));
  }

  // ---- spend ------------------------------------------------------------------------------------

  /** A result was recorded: it supersedes the worker's in-flight requests. */
  onCost(teamName: string, data: { handle: string; taskId: string | null; models: ModelCost[] }, ts: number): void {
    const key = keyOf(teamName, data.handle);
    const flight = this.#inFlight.get(key);
    this.#inFlight.delete(key);
    const add: Recorded = { ...zero(), turns: 1 };
    for (const model of data.models) {
      add.tokens += model.inputTokens + model.outputTokens + model.cacheReadTokens + model.cacheWriteTokens;
      if (model.costUsd === null) add.unpriced += 1;
      else add.nanos += Math.round(model.costUsd * 1e9);
    }
    for (const entry of this.entries.values()) {
      const covered = covers(entry.budget, teamName, data.handle, data.taskId);
      if (covered && ts >= entry.start && (entry.end === null || ts < entry.end))
        addInto(entry.loading ?? entry.recorded, add);
      if (covered || (flight && covers(entry.budget, teamName, data.handle, flight.taskId))) this.evaluate(entry);
    }
  }

  /** A model request of a worker's current turn: counted until its result is recorded. */
  onRequest(
    teamName: string,
    data: {
      handle: string;
      model: string;
      tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
    },
  ): void {
    const key = keyOf(teamName, data.handle);
    let flight = this.#inFlight.get(key);
    if (!flight) {
      flight = { teamName, handle: data.handle, taskId: null, tokens: 0, nanos: 0, unpriced: 0, requests: 0 };
      this.#inFlight.set(key, flight);
      this.#fillTask(flight);
    }
    const { tokens } = data;
    flight.tokens += tokens.input + tokens.output + tokens.cacheRead + tokens.cacheWrite;
    const nanos = this.deps.sessions().price(data.model, tokens);
    if (nanos === null) flight.unpriced += 1;
    else flight.nanos += nanos;
    flight.requests += 1;
    this.#judgeWorker(flight);
  }

  /** A worker ended (dismissed, failed): its turn will not be recorded. */
  forgetWorker(teamName: string, handle: string): void {
    this.#inFlight.delete(keyOf(teamName, handle));
    this.#tasks.delete(keyOf(teamName, handle));
  }

  /** Tasks of a team changed: who holds what is asked again. */
  forgetTasks(teamName: string): void {
    for (const key of this.#tasks.keys()) if (key.startsWith(`${teamName}\u0000`)) this.#tasks.delete(key);
  }

  #judgeWorker(flight: InFlight): void {
    for (const entry of this.entries.values()) {
      if (!covers(entry.budget, flight.teamName, flight.handle, flight.taskId)) continue;
      this.evaluate(entry);
      // Over already: a worker it covers that is still working is paused at its next request.
      if (entry.breached && !this.#pausesOf(entry.budget.id).has(keyOf(flight.teamName, flight.handle))) {
        this.#pausesOf(entry.budget.id).add(keyOf(flight.teamName, flight.handle));
        void this.#chain(entry.budget.id, () => this.#pauseOne(entry, flight.teamName, flight.handle));
      }
    }
  }

  /** Task budgets need the task a worker holds: asked once per turn (cached briefly), then judged again. */
  #fillTask(flight: InFlight): void {
    if (
      ![...this.entries.values()].some((e) => e.budget.scope.kind === 'task' && e.budget.teamName === flight.teamName)
    )
      return;
    void this.taskOf(flight.teamName, flight.handle).then((taskId) => {
      if (taskId === null || this.#inFlight.get(keyOf(flight.teamName, flight.handle)) !== flight) return;
      flight.taskId = taskId;
      this.#judgeWorker(flight);
    });
  }

  /** The task a worker holds (its in-progress task), or null. */
  async taskOf(teamName: string, handle: string): Promise<string | null> {
    const key = keyOf(teamName, handle);
    const known = this.#tasks.get(key);
    if (known && Date.now() - known.at < TASK_TTL_MS) return known.taskId;
    try {
      const task = await this.deps.sessions().service.taskOf(teamName, handle);
      const taskId = task?.id ?? null;
      this.#tasks.set(key, { taskId, at: Date.now() });
      return taskId;
    } catch {
      return null;
    }
  }

  // ---- standing ---------------------------------------------------------------------------------

  /** Judge a budget now: over and not yet handled → breach; back under → release. */
  evaluate(entry: Entry): void {
    if (this.#stopped || entry.loading) return;
    const { spent } = spentOf(entry, this.#inFlight.values());
    const { over } = standing(entry, spent);
    const id = entry.budget.id;
    if (over && !entry.breached) {
      entry.breached = true;
      void this.#chain(id, () => this.#breach(entry));
    } else if (!over && (entry.breached || (this.#pauses.get(id)?.size ?? 0) > 0 || this.#breaches.has(id))) {
      entry.breached = false;
      if (this.#releasing.has(id)) return;
      this.#releasing.add(id);
      void this.#chain(id, () => this.#release(id, 'under its limit'));
    }
  }

  /** Windows that ended roll over (read again from the accounting, judged); paused workers nobody holds resume. */
  async tick(): Promise<void> {
    const now = Date.now();
    for (const entry of [...this.entries.values()]) {
      if (entry.end === null || now < entry.end) continue;
      const next = entryOf(entry.budget, now);
      this.entries.set(entry.budget.id, next);
      await this.#load(next);
      this.evaluate(next);
    }
    await this.#sweep();
  }

  /** Workers paused for a budget that no over budget covers any more (after a restart, a lost resume). */
  async #sweep(): Promise<void> {
    const workers = this.deps.workers();
    if (!workers?.manager.store.listPaused) return;
    const rows = await workers.manager.store.listPaused().catch(() => []);
    for (const row of rows) {
      const pause = pauseOf(row);
      if (pause?.reason !== 'budget') continue;
      if (this.#holdsPaused(row.team_name, row.handle)) continue;
      if (await this.#heldBy(row.team_name, row.handle)) continue;
      await this.#resume(row.team_name, row.handle);
    }
  }

  /** Some budget's pause record names this worker (its release resumes it). */
  #holdsPaused(teamName: string, handle: string): boolean {
    const key = keyOf(teamName, handle);
    for (const [id, keys] of this.#pauses) if (keys.has(key) && this.entries.get(id)?.breached) return true;
    return false;
  }

  /** The first budget over its limit that covers this worker (of a team, holding a task), if any. */
  async #heldBy(teamName: string, handle: string, taskId?: string | null): Promise<Entry | undefined> {
    let task = taskId;
    for (const entry of this.entries.values()) {
      if (entry.budget.scope.kind === 'task' && task === undefined) task = await this.taskOf(teamName, handle);
      if (!covers(entry.budget, teamName, handle, task ?? null)) continue;
      if (standing(entry, spentOf(entry, this.#inFlight.values()).spent).over) return entry;
    }
    return undefined;
  }

  // ---- admission and the gate -------------------------------------------------------------------

  /**
   * Refuse work a budget does not allow: anything of a worker an over budget covers (409
   * BUDGETS_EXCEEDED), and new work (spawn, assign, claim) once a throttle is reached (409
   * BUDGETS_THROTTLED); input to running workers and resumes pass a throttle.
   */
  async admit(action: Action, teamName: string, handle: string, taskId?: string | null): Promise<void> {
    let task = taskId;
    for (const entry of this.entries.values()) {
      if (entry.budget.scope.kind === 'task' && task === undefined) task = await this.taskOf(teamName, handle);
      if (!covers(entry.budget, teamName, handle, task ?? null)) continue;
      const { spent } = spentOf(entry, this.#inFlight.values());
      const { over, throttled } = standing(entry, spent);
      const newWork = action === 'spawn' || action === 'assign' || action === 'claim';
      if (!over && !(throttled && newWork)) continue;
      const { budget } = entry;
      const params = {
        id: budget.id,
        scope: describeScope(budget),
        spent: formatAmount(budget.unit, spent),
        limit: formatAmount(budget.unit, limitOf(entry)),
        unit: budget.unit,
      };
      const details = { field: 'budget', budget: budget.id, spent, limit: limitOf(entry), unit: budget.unit };
      if (over) throw budgetsErrors.BUDGETS_EXCEEDED({ ...params, period: periodWord(budget) }, details);
      throw budgetsErrors.BUDGETS_THROTTLED({ ...params, percent: Math.round(budget.throttleAt! * 100) }, details);
    }
  }

  /** The policy gate: a worker an over budget covers gets its tool call denied, naming the budget. */
  async gate(teamName: string, handle: string): Promise<{ reason: string } | undefined> {
    const entry = await this.#heldBy(teamName, handle);
    if (!entry) return undefined;
    const { budget } = entry;
    const { spent } = spentOf(entry, this.#inFlight.values());
    if (!this.#pausesOf(budget.id).has(keyOf(teamName, handle))) {
      this.#pausesOf(budget.id).add(keyOf(teamName, handle));
      void this.#chain(budget.id, () => this.#pauseOne(entry, teamName, handle));
    }
    return {
      reason:
        `budget ${budget.id} (${describeScope(budget)}) is over: spent ${formatAmount(budget.unit, spent)} of ` +
        `${formatAmount(budget.unit, limitOf(entry))} ${budget.unit}; stop and wait for a lead`,
    };
  }

  // ---- approvals ----------------------------------------------------------------------------------

  /** A lead approved a budget's item: the limit grows by the extension for the window it was opened in. */
  async approved(subject: unknown): Promise<void> {
    const { budgetId, windowStart } = (subject ?? {}) as { budgetId?: unknown; windowStart?: unknown };
    if (typeof budgetId !== 'string') return;
    const entry = this.entries.get(budgetId);
    if (!entry || entry.start !== windowStart) return;
    const amount = extensionOf(entry.budget, this.deps.extensionRatio());
    entry.extension = await this.deps.store.extend(budgetId, entry.start, amount);
    this.deps.log.info(`budget ${budgetId}: extended by ${amount} ${entry.budget.unit} for this window`);
    this.evaluate(entry);
  }

  // ---- views ----------------------------------------------------------------------------------------

  /** Where a budget stands, with the workers it paused of `teamName` (all, when undefined). */
  view(entry: Entry, teamName: string | undefined): BudgetView {
    const { spent, unpriced } = spentOf(entry, this.#inFlight.values());
    const { over, throttled, remaining } = standing(entry, spent);
    const paused = [...(this.#pauses.get(entry.budget.id) ?? [])]
      .map(splitKey)
      .filter(([team]) => teamName === undefined || team === teamName)
      .map(([, handle]) => handle)
      .sort();
    return {
      ...entry.budget,
      windowStart: entry.start,
      windowEnd: entry.end,
      extension: entry.extension,
      spent,
      remaining,
      over,
      throttled,
      ...(entry.budget.unit === 'usd' ? { unpricedResults: unpriced } : {}),
      paused,
    };
  }

  // ---- internals ------------------------------------------------------------------------------------

  #pausesOf(id: string): Set<string> {
    let set = this.#pauses.get(id);
    if (!set) this.#pauses.set(id, (set = new Set()));
    return set;
  }

  /** Run work of one budget after the work queued before it (never two breaches or releases at once). */
  #chain(id: string, work: () => Promise<void>): Promise<void> {
    const next = (this.#chains.get(id) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      this.deps.log.error(`budget ${id}: ${(error as Error).message}`);
    });
    this.#chains.set(id, next);
    void next.then(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    });
    return next;
  }

  /** Read a budget's window from the database; what is heard meanwhile is added after. */
  async #load(entry: Entry): Promise<void> {
    entry.loading = zero();
    try {
      const [sums, window] = await Promise.all([
        this.deps.sessions().spent(filterOf(entry.budget, entry.start)),
        this.deps.store.window(entry.budget.id, entry.start),
      ]);
      entry.recorded = recordedOf(sums);
      entry.extension = window.extension;
    } catch (error) {
      this.deps.log.error(`budget ${entry.budget.id}: could not read its spend`, { error: (error as Error).message });
    } finally {
      addInto(entry.recorded, entry.loading);
      entry.loading = undefined;
    }
  }

  /** Went over: pause what it covers, say so once per window, ask the leads for an extension. */
  async #breach(entry: Entry): Promise<void> {
    const { budget } = entry;
    if (!entry.breached || this.entries.get(budget.id) !== entry) return;
    const paused: [string, string][] = [];
    const pauses: Promise<void>[] = [];
    const pauseNow = (teamName: string, handle: string) => {
      const key = keyOf(teamName, handle);
      if (this.#pausesOf(budget.id).has(key)) return;
      this.#pausesOf(budget.id).add(key);
      paused.push([teamName, handle]);
      pauses.push(this.#pauseOne(entry, teamName, handle));
    };
    // Those in a turn first, from memory (every request meanwhile is overshoot), then the rest of the live ones.
    for (const flight of this.#inFlight.values())
      if (covers(budget, flight.teamName, flight.handle, flight.taskId)) pauseNow(flight.teamName, flight.handle);
    const workers = this.deps.workers();
    const live = workers ? await workers.manager.store.listLive() : [];
    for (const row of live) {
      if (row.state === 'paused') continue;
      const task = budget.scope.kind === 'task' ? await this.taskOf(row.team_name, row.handle) : null;
      if (covers(budget, row.team_name, row.handle, task)) pauseNow(row.team_name, row.handle);
    }
    const pausing = Promise.all(pauses);
    const first = await this.deps.store.markExceeded(budget.id, entry.start);
    const teams = new Set(budget.teamName === null ? live.map((row) => row.team_name) : [budget.teamName]);
    const breach = this.#breaches.get(budget.id) ?? { start: entry.start, teams: new Set<string>() };
    this.#breaches.set(budget.id, breach);
    for (const team of teams) {
      const view = this.view(entry, team);
      if (first) this.deps.emit('budget_exceeded', team, { budget: view, paused: view.paused });
      await this.#openItem(entry, team, view);
      breach.teams.add(team);
    }
    await pausing;
    // Workers in a turn may have been paused already, at their request (#judgeWorker): all of them are counted.
    const count = this.#pauses.get(budget.id)?.size ?? paused.length;
    this.deps.log.warn(`budget ${budget.id} (${describeScope(budget)}) is over: ${count} worker(s) paused`);
  }

  async #pauseOne(entry: Entry, teamName: string, handle: string): Promise<void> {
    const { budget } = entry;
    const workers = this.deps.workers();
    const { spent } = spentOf(entry, this.#inFlight.values());
    const detail =
      `budget ${budget.id} (${describeScope(budget)}): spent ${formatAmount(budget.unit, spent)} of ` +
      `${formatAmount(budget.unit, limitOf(entry))} ${budget.unit} this ${periodWord(budget)}`;
    // The pause goes out first; this plugin's record of it is written alongside.
    const [outcome] = await Promise.allSettled([
      workers?.manager.pause
        ? workers.manager.pause(teamName, handle, { reason: 'budget', detail, source: budget.id })
        : Promise.resolve(),
      this.deps.store.addPause(budget.id, teamName, handle),
    ]);
    if (outcome.status === 'rejected') {
      // Not pausable (gone, external): nothing to resume later either.
      const message = (outcome.reason as Error).message;
      this.deps.log.info(`budget ${budget.id}: ${teamName}/${handle} not paused: ${message}`);
      await this.deps.store.removePause(budget.id, teamName, handle);
      this.#pauses.get(budget.id)?.delete(keyOf(teamName, handle));
    }
  }

  async #openItem(entry: Entry, teamName: string, view: BudgetView): Promise<void> {
    const approvals = this.deps.policy()?.approvals;
    if (!approvals?.openItem) return;
    const { budget } = entry;
    const extension = extensionOf(budget, this.deps.extensionRatio());
    const amount = (value: number) => `${formatAmount(budget.unit, value)} ${budget.unit}`;
    try {
      await approvals.openItem({
        teamName,
        kind: 'budget',
        summary: `Budget ${describeScope(budget)} is over (${amount(view.spent)} of ${amount(limitOf(entry))})`,
        reason:
          `Approve to add ${amount(extension)} for this ${periodWord(budget)} and resume its workers; ` +
          'deny to keep them paused',
        subject: {
          budgetId: budget.id,
          windowStart: entry.start,
          scope: budget.scope,
          unit: budget.unit,
          limit: limitOf(entry),
          spent: view.spent,
          extension,
          paused: view.paused,
        },
        requester: { uid: agentUid(teamName, 'budgets'), handle: 'budgets' },
        key: itemKey(budget.id, entry.start),
      });
    } catch (error) {
      this.deps.log.error(`budget ${budget.id}: could not open its approval item`, { error: (error as Error).message });
    }
  }

  /** No longer over (or gone): resume what it paused unless another over budget holds it; withdraw its items. */
  async #release(id: string, reason: string): Promise<void> {
    this.#releasing.delete(id);
    const entry = this.entries.get(id);
    if (entry?.breached) return;
    const resumed = new Map<string, string[]>();
    const free: [string, string][] = [];
    for (const key of [...(this.#pauses.get(id) ?? [])]) {
      const [teamName, handle] = splitKey(key);
      this.#pauses.get(id)?.delete(key);
      await this.deps.store.removePause(id, teamName, handle);
      const other = await this.#heldBy(teamName, handle);
      if (other) {
        // Still over another budget: that one holds it now, and resumes it when it is under.
        this.#pausesOf(other.budget.id).add(key);
        await this.deps.store.addPause(other.budget.id, teamName, handle);
        continue;
      }
      free.push([teamName, handle]);
    }
    // All at once: each resume waits for its agent's launch.
    const launched = await Promise.all(free.map(([teamName, handle]) => this.#resume(teamName, handle)));
    free.forEach(([teamName, handle], i) => {
      if (launched[i]) resumed.set(teamName, [...(resumed.get(teamName) ?? []), handle]);
    });
    const breach = this.#breaches.get(id);
    this.#breaches.delete(id);
    const approvals = this.deps.policy()?.approvals;
    for (const team of new Set([...(breach?.teams ?? []), ...resumed.keys()])) {
      if (breach && approvals?.closeItem)
        await approvals
          .closeItem(team, 'budget', itemKey(id, breach.start), `budget ${id}: ${reason}`)
          .catch(() => undefined);
      this.deps.emit('budget_cleared', team, { id, reason, resumed: resumed.get(team) ?? [] });
    }
  }

  /** Resume a worker paused for a budget; true when it was. */
  async #resume(teamName: string, handle: string): Promise<boolean> {
    const workers = this.deps.workers();
    if (!workers?.manager.resume) return false;
    const row = await workers.manager.store.get(teamName, handle);
    if (pauseOf(row)?.reason !== 'budget') return false;
    try {
      await workers.manager.resume.call(workers.manager, teamName, handle, { by: 'budgets' });
      return true;
    } catch (error) {
      this.deps.log.warn(`budgets: could not resume ${teamName}/${handle}`, { error: (error as Error).message });
      return false;
    }
  }
}

export const itemKey = (budgetId: string, windowStart: number) => `${budgetId}:${windowStart}`;

export const periodWord = (budget: Budget) => (budget.period === 'total' ? 'budget' : budget.period);

/** What approving an item adds: the ratio of the limit (whole tokens and turns, at least 1). */
export function extensionOf(budget: Budget, ratio: number): number {
  const amount = budget.limit * ratio;
  return budget.unit === 'usd' ? amount : Math.max(1, Math.round(amount));
}

/** The accounting's filter for a budget's window. */
export function filterOf(budget: Budget, since: number): SpentFilter {
  const { scope, teamName } = budget;
  if (scope.kind === 'fleet') return { since };
  if (scope.kind === 'team') return { teamName: teamName!, since };
  if (scope.kind === 'worker') return { teamName: teamName!, handle: scope.id!, since };
  return { teamName: teamName!, taskId: scope.id!, since };
}

export { windowOf };
