import {
  agentUid,
  defaultRole,
  type Identity,
  isApiError,
  type Logger,
  type PluginContext,
} from '../../../core/index.js';
import type { RunOutcome, ScheduleAction } from './action.js';
import type { AuditPort, AuthPort, QueuePort, TasksPort, WorkersPort } from './ports.js';

export interface DispatchOrigin {
  kind: 'run' | 'webhook' | 'queue' | 'manual';
  id: string;
  /** Who the work is done for (a schedule's creator): a spawn or a task is made in their name. */
  actor?: string;
  /** For queue jobs: the schedule's name (triggerEvent) and repository. */
  name?: string;
  repository?: string;
}

export interface DispatcherPorts {
  workers(): WorkersPort | undefined;
  tasks(): TasksPort | undefined;
  auth(): AuthPort | undefined;
  queue(): QueuePort | undefined;
  audit(): AuditPort | undefined;
  on: PluginContext['events']['on'];
  log: Logger;
  turnStartTimeoutMs(): number;
}

/**
 * What the workflows plugin lends the dispatcher while it runs: it registers itself at its start
 * (`dispatcher.useWorkflows`), so the scheduler needs no dependency on it (workflows depends on the scheduler).
 */
export interface WorkflowsPort {
  /** Start the team's workflow named (or with the id) `workflow`: a 404/400 when it is not there or inputs are bad. */
  start(
    team: string,
    actor: string,
    workflow: string,
    input: { inputs?: Record<string, unknown>; startedBy: string },
  ): Promise<{ id: string; workflowId: string; status: string }>;
}

const TURN_OVER = new Set(['idle', 'ready', 'stopped', 'failed', 'paused', 'stopping']);

/** A coded refusal from another plugin (admission, budget, quota, a worker not running) is `refused`; the rest fail. */
function refusedOrFailed(error: unknown): RunOutcome {
  if (isApiError(error) && error.status < 500) return { outcome: 'refused', reason: `${error.code}: ${error.message}` };
  return { outcome: 'failed', reason: (error as Error)?.message ?? String(error) };
}

/**
 * Runs one action and says how it went, with evidence: `delivered` only when the work is known to
 * have started (the worker's turn started, the task exists); `queued` for work handed to the queue.
 */
export class Dispatcher {
  /** Waiters for a worker's turn to start, by team/handle. */
  readonly #turns = new Map<string, Set<(state: string) => void>>();
  #workflows: WorkflowsPort | undefined;

  constructor(private readonly ports: DispatcherPorts) {
    ports.on(['worker_state'], (event) => {
      const waiters = this.#turns.get(`${event.team}/${event.data.handle}`);
      if (waiters) for (const waiter of [...waiters]) waiter(event.data.state);
    });
  }

  /** The workflows plugin registers here while it runs; the returned function unregisters it. */
  useWorkflows(port: WorkflowsPort): () => void {
    this.#workflows = port;
    return () => {
      if (this.#workflows === port) this.#workflows = undefined;
    };
  }

  async dispatch(team: string, action: ScheduleAction, origin: DispatchOrigin): Promise<RunOutcome> {
    try {
      switch (action.kind) {
        case 'prompt':
          return await this.#prompt(team, action.handle, action.prompt);
        case 'spawn':
          return await this.#spawn(team, action, origin);
        case 'task':
          return await this.#task(team, action, origin);
        case 'template':
        case 'webhook':
          return await this.#enqueue(team, action, origin);
        case 'workflow':
          return await this.#workflow(team, action, origin);
        case 'audit':
          return await this.#audit(team, action.quick, origin);
      }
    } catch (error) {
      this.ports.log.warn('scheduler: a dispatch failed', { kind: action.kind, error: (error as Error).message });
      return refusedOrFailed(error);
    }
  }

  /** Start an execution (delivered: it exists, its id is the evidence); refused while the workflows plugin is off. */
  async #workflow(
    team: string,
    action: Extract<ScheduleAction, { kind: 'workflow' }>,
    origin: DispatchOrigin,
  ): Promise<RunOutcome> {
    const workflows = this.#workflows;
    if (!workflows) return { outcome: 'refused', reason: 'the workflows plugin is off' };
    const startedBy = `${origin.kind === 'run' ? 'schedule' : origin.kind}:${origin.id}`;
    const execution = await workflows.start(team, origin.actor ?? 'scheduler', action.workflow, {
      ...(action.inputs ? { inputs: action.inputs } : {}),
      startedBy,
    });
    return {
      outcome: 'delivered',
      evidence: { executionId: execution.id, workflowId: execution.workflowId, status: execution.status },
    };
  }

  /** Resolve when the worker's state says its turn started, or after the timeout (undefined). */
  #turnStart(team: string, handle: string, afterEnds: boolean): { wait: Promise<number | undefined>; cancel(): void } {
    const key = `${team}/${handle}`;
    let waiter!: (state: string) => void;
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<number | undefined>((resolve) => {
      waiter = (state) => {
        if (state === 'working') return done(Date.now());
        if (afterEnds && (state === 'stopped' || state === 'failed')) return done(undefined);
      };
      const done = (at: number | undefined) => {
        this.#turns.get(key)?.delete(waiter);
        if (this.#turns.get(key)?.size === 0) this.#turns.delete(key);
        if (timer) clearTimeout(timer);
        resolve(at);
      };
      timer = setTimeout(() => done(undefined), this.ports.turnStartTimeoutMs());
      timer.unref();
    });
    if (!this.#turns.has(key)) this.#turns.set(key, new Set());
    this.#turns.get(key)!.add(waiter);
    return { wait, cancel: () => waiter('stopped') };
  }

  async #prompt(team: string, handle: string, prompt: string): Promise<RunOutcome> {
    const workers = this.ports.workers();
    if (!workers) return { outcome: 'refused', reason: 'the workers plugin is off' };
    const row = await workers.manager.store.get(team, handle);
    if (!row) return { outcome: 'refused', reason: `no worker ${handle} in the team` };
    const busy = row.state === 'working';
    // Listen before sending: a fast agent's turn may start (and be reported) before send returns.
    const turn = this.#turnStart(team, handle, true);
    try {
      await workers.sendToWorker(team, handle, prompt);
    } catch (error) {
      turn.cancel();
      return refusedOrFailed(error);
    }
    const startedAt = await turn.wait;
    if (startedAt === undefined) {
      const reason = busy
        ? `the prompt was accepted by ${handle}, which was busy; no new turn was seen within the timeout`
        : `the prompt was accepted by ${handle} but no turn start was seen within the timeout`;
      return { outcome: 'failed', reason, evidence: { handle, inputAccepted: true } };
    }
    return { outcome: 'delivered', evidence: { handle, turnStartedAt: new Date(startedAt).toISOString() } };
  }

  #spawner(team: string, origin: DispatchOrigin): Identity {
    const handle = origin.actor ?? 'scheduler';
    return {
      uid: agentUid(team, handle),
      handle,
      teamName: team,
      agentType: 'team-lead',
      role: defaultRole('team-lead'),
    };
  }

  async #spawn(
    team: string,
    action: Extract<ScheduleAction, { kind: 'spawn' }>,
    origin: DispatchOrigin,
  ): Promise<RunOutcome> {
    const workers = this.ports.workers();
    if (!workers) return { outcome: 'refused', reason: 'the workers plugin is off' };
    const handle = action.handle ?? `sched-${origin.id.replace(/[^A-Za-z0-9]/g, '').slice(-10)}`;
    const request = {
      handle,
      teamName: team,
      adapter: workers.options.defaultAdapter,
      prompt: action.prompt,
      cwd: workers.options.workingDir ?? process.cwd(),
    };
    const turn = this.#turnStart(team, handle, true);
    let spawned: Awaited<ReturnType<WorkersPort['manager']['spawn']>>;
    try {
      spawned = await workers.manager.spawn(request, this.#spawner(team, origin), workers.options.max);
    } catch (error) {
      turn.cancel();
      return refusedOrFailed(error);
    }
    if (spawned.queued) {
      turn.cancel();
      return {
        outcome: 'queued',
        reason: `the spawn waits in the workers' spawn queue (position ${spawned.position})`,
        evidence: { handle, spawnQueueId: spawned.id, awaitingTurn: true },
      };
    }
    const startedAt = await turn.wait;
    if (startedAt === undefined)
      return {
        outcome: 'failed',
        reason: `worker ${handle} was spawned but its first turn was not seen starting within the timeout`,
        evidence: { handle, spawned: true },
      };
    return {
      outcome: 'delivered',
      evidence: { handle, spawned: true, turnStartedAt: new Date(startedAt).toISOString() },
    };
  }

  async #task(
    team: string,
    action: Extract<ScheduleAction, { kind: 'task' }>,
    origin: DispatchOrigin,
  ): Promise<RunOutcome> {
    const tasks = this.ports.tasks();
    const auth = this.ports.auth();
    if (!tasks || !auth) return { outcome: 'refused', reason: 'the tasks plugin is off' };
    const actor = origin.actor ?? 'scheduler';
    const creator = (await auth.agents.findByHandle(team, actor)) ?? {
      uid: agentUid(team, actor),
      handle: actor,
      teamName: team,
      agentType: 'team-lead',
      role: defaultRole('team-lead'),
      createdAt: new Date().toISOString(),
      lastSeen: null,
    };
    let owner;
    if (action.owner !== undefined) {
      owner = await auth.agents.findByHandle(team, action.owner);
      if (!owner) return { outcome: 'refused', reason: `owner ${action.owner} is not an agent of the team` };
    }
    const task = await tasks.tasks.create({
      teamName: team,
      creator,
      owner,
      subject: action.subject,
      description: action.description ?? null,
    });
    return { outcome: 'delivered', evidence: { taskId: task.id } };
  }

  async #enqueue(
    team: string,
    action: Extract<ScheduleAction, { kind: 'template' | 'webhook' }>,
    origin: DispatchOrigin,
  ): Promise<RunOutcome> {
    const queue = this.ports.queue();
    if (!queue) return { outcome: 'refused', reason: 'the scheduler queue is not available' };
    const name = action.kind === 'template' ? action.template : action.url;
    const job = await queue.enqueue({
      team,
      kind: action.kind,
      name,
      payload: action,
      origin: { kind: origin.kind, id: origin.id },
      trigger: origin.kind === 'run' ? 'cron' : origin.kind === 'webhook' ? 'webhook' : 'manual',
      ...(origin.name !== undefined ? { triggerEvent: origin.name } : {}),
      ...(origin.repository !== undefined ? { repository: origin.repository } : {}),
    });
    return { outcome: 'queued', reason: `queued as job ${job.id}`, evidence: { jobId: job.id } };
  }

  async #audit(team: string, quick: boolean | undefined, origin: DispatchOrigin): Promise<RunOutcome> {
    const audit = this.ports.audit();
    if (!audit) return { outcome: 'refused', reason: 'the audit loop is not available' };
    const started = (await audit.start(team, { quick, actor: origin.actor })) as { id?: unknown } | undefined;
    const id = started && typeof started === 'object' ? started.id : undefined;
    return { outcome: 'delivered', evidence: { audit: 'started', ...(id !== undefined ? { auditRunId: id } : {}) } };
  }
}

export { TURN_OVER };
