import { randomUUID } from 'node:crypto';
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { AnyTransaction, PluginContext } from '../../core/index.js';
import type { TeamAgent } from '../auth/index.js';
import type { ChatMessage, MailApi } from '../mail/index.js';
import type { TaskAdmissions } from './admission.js';
import { findCycle } from './dependency-graph.js';
import { tasksErrors } from './errors.js';
import type { TaskPriority, TaskStatus, TasksTable, TasksTables } from './tables.js';

export type { TaskPriority, TaskStatus } from './tables.js';
export const TASK_STATUSES: readonly TaskStatus[] = ['open', 'in_progress', 'resolved', 'blocked'];
/** Most urgent first: the order a claim without a task id takes ready tasks in. */
export const TASK_PRIORITIES: readonly TaskPriority[] = ['critical', 'high', 'normal', 'low'];

const isPriority = (value: string): value is TaskPriority => (TASK_PRIORITIES as readonly string[]).includes(value);

/** A priority's place in TASK_PRIORITIES, in SQL (text sorts critical < high < low < normal otherwise). */
const priorityRank = sql<number>`case priority
  when 'critical' then 0 when 'high' then 1 when 'normal' then 2 else 3 end`;

/** The seed's TeamTask. */
/**
 * Who resolved a task (task_resolved's `resolvedBy`): the caller's handle and agent type. Other plugins pay only
 * for a resolution someone else verified (a lead, a reviewer): the owner closing its own task is its own word.
 */
export interface TaskResolver {
  handle: string;
  type: 'team-lead' | 'worker';
}

export interface TeamTask {
  id: string;
  teamName: string;
  subject: string;
  description: string | null;
  ownerHandle: string | null;
  ownerUid: string | null;
  createdByHandle: string;
  createdByUid: string;
  status: TaskStatus;
  priority: TaskPriority;
  blockedBy: string[];
  createdAt: string;
  updatedAt: string;
}

type Db = Kysely<TasksTables>;

/** A task row as callers see it; `blockedBy` sorted as the blockers' query orders them. */
function taskView(row: TasksTable, blockedBy: string[]): TeamTask {
  return {
    id: row.id,
    teamName: row.team_name,
    subject: row.subject,
    description: row.description,
    ownerHandle: row.owner_handle,
    ownerUid: row.owner_uid,
    createdByHandle: row.created_by_handle,
    createdByUid: row.created_by_uid,
    status: row.status,
    priority: row.priority,
    blockedBy,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

/** A task none of whose blockers is unresolved: the condition of "ready" and of a claim. */
const noOpenBlocker = (eb: ExpressionBuilder<TasksTables, 'tasks'>) =>
  eb.not(
    eb.exists(
      eb
        .selectFrom('task_blockers as b')
        .innerJoin('tasks as bt', 'bt.id', 'b.blocker_id')
        .select('b.blocker_id')
        .whereRef('b.task_id', '=', 'tasks.id')
        .where('bt.status', '!=', 'resolved'),
    ),
  );

export interface TaskQuery {
  status?: TaskStatus;
  ownerHandle?: string;
  unassigned?: boolean;
  /** Open tasks whose blockers are all resolved. */
  ready?: boolean;
  limit: number;
  offset: number;
}

/** Tasks with blockedBy dependencies, assignment DMs and atomic claiming, scoped to one team per call. */
export class TaskService {
  readonly #db: Db;
  readonly #emit: PluginContext['events']['emit'];
  readonly #mail: () => MailApi;
  readonly #admissions: TaskAdmissions;

  constructor(db: Db, emit: PluginContext['events']['emit'], mail: () => MailApi, admissions: TaskAdmissions) {
    this.#db = db;
    this.#emit = emit;
    this.#mail = mail;
    this.#admissions = admissions;
  }

  async #blockersOf(ids: readonly string[], db: Db = this.#db): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return map;
    const rows = await db
      .selectFrom('task_blockers')
      .select(['task_id', 'blocker_id'])
      .where('task_id', 'in', [...ids])
      .orderBy('blocker_id')
      .execute();
    for (const row of rows) map.get(row.task_id)!.push(row.blocker_id);
    return map;
  }

  async #hydrate(rows: TasksTable[], db: Db = this.#db): Promise<TeamTask[]> {
    const blockers = await this.#blockersOf(
      rows.map((r) => r.id),
      db,
    );
    return rows.map((row) => taskView(row, blockers.get(row.id) ?? []));
  }

  async get(teamName: string, id: string, db: Db = this.#db): Promise<TeamTask | undefined> {
    const row = await db
      .selectFrom('tasks')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (await this.#hydrate([row], db))[0] : undefined;
  }

  async require(teamName: string, id: string): Promise<TeamTask> {
    const task = await this.get(teamName, id);
    if (!task) throw tasksErrors.TASKS_TASK_NOT_FOUND();
    return task;
  }

  /** Every blocker must be a task of the team; returns them de-duplicated. */
  async #checkBlockers(teamName: string, blockedBy: readonly string[], db: Db): Promise<string[]> {
    const unique = [...new Set(blockedBy)];
    if (unique.length === 0) return unique;
    const found = await db
      .selectFrom('tasks')
      .select('id')
      .where('team_name', '=', teamName)
      .where('id', 'in', unique)
      .execute();
    const known = new Set(found.map((r) => r.id));
    const missing = unique.find((id) => !known.has(id));
    if (missing) throw tasksErrors.TASKS_UNKNOWN_BLOCKER({ id: missing }, { field: 'blockedBy' });
    return unique;
  }

  /**
   * Create a task; when it has an owner, post the seed's assignment DM (`[TASK] subject\n\n
   * description`, metadata {taskId, type:'task_assignment'}) in the same transaction.
   */
  async create(input: {
    teamName: string;
    creator: TeamAgent;
    owner?: TeamAgent;
    subject: string;
    description?: string | null;
    blockedBy?: readonly string[];
    priority?: TaskPriority;
  }): Promise<TeamTask> {
    const id = randomUUID();
    // Before anything is written: a refusal leaves no task behind.
    if (input.owner)
      await this.#admissions.admit({
        action: 'assign',
        teamName: input.teamName,
        taskId: id,
        ownerHandle: input.owner.handle,
      });
    const now = Date.now();
    const mail = this.#mail();
    let assignment: { chatId: string; message: ChatMessage } | undefined;
    const task = await this.#db.transaction().execute(async (trx) => {
      const blockers = await this.#checkBlockers(input.teamName, input.blockedBy ?? [], trx);
      const row: TasksTable = {
        id,
        team_name: input.teamName,
        subject: input.subject,
        description: input.description ?? null,
        owner_handle: input.owner?.handle ?? null,
        owner_uid: input.owner?.uid ?? null,
        created_by_handle: input.creator.handle,
        created_by_uid: input.creator.uid,
        status: 'open',
        priority: input.priority ?? 'normal',
        created_at: now,
        updated_at: now,
      };
      await trx.insertInto('tasks').values(row).execute();
      if (blockers.length > 0)
        await trx
          .insertInto('task_blockers')
          .values(blockers.map((blocker) => ({ task_id: id, blocker_id: blocker })))
          .execute();
      if (input.owner && input.owner.uid !== input.creator.uid) {
        // The assignment DM is mail's, written in this transaction: the task and its DM commit together.
        const chatId = await mail.chats.ensureDm(input.teamName, input.creator.uid, input.owner.uid, trx);
        const text = `[TASK] ${input.subject}\n\n${input.description ?? ''}`;
        const message = await mail.chats.record(trx, { id: chatId, teamName: input.teamName }, input.creator, text, {
          taskId: id,
          type: 'task_assignment',
        });
        assignment = { chatId, message };
      }
      // What was just written, without reading it back (two statements fewer per create).
      return taskView(row, [...blockers].sort());
    });
    if (assignment)
      this.#emit('task_assigned', input.teamName, {
        chatId: assignment.chatId,
        message: assignment.message,
        handle: input.creator.handle,
        task,
      });
    this.#emit('task_created', input.teamName, { task });
    return task;
  }

  /**
   * Change a task's status; resolving needs every blocker resolved (400 listing the others). `by` is who
   * asks (task_resolved names it). task_resolved goes out once per resolution: the UPDATE that resolves
   * is conditional on the task not being resolved yet, so resolving a resolved task (or two racing
   * resolutions) announces one.
   */
  async setStatus(teamName: string, id: string, status: TaskStatus, by?: TaskResolver): Promise<TeamTask> {
    const task = await this.require(teamName, id);
    if (status === 'resolved') await this.assertResolvable(task.blockedBy);
    const result = await this.#db
      .updateTable('tasks')
      .set({ status, updated_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .$if(status === 'resolved', (q) => q.where('status', '!=', 'resolved'))
      .executeTakeFirst();
    const resolved = status === 'resolved' && Number(result.numUpdatedRows) === 1;
    return this.#announceUpdate(teamName, id, resolved ? { resolvedBy: by ?? null } : undefined);
  }

  /**
   * A task blocked by `blockedBy` may be resolved only when all of them are: else the seed's 400
   * listing the others.
   */
  async assertResolvable(blockedBy: readonly string[]): Promise<void> {
    if (blockedBy.length === 0) return;
    const open = await this.#db
      .selectFrom('tasks')
      .select('id')
      .where('id', 'in', [...blockedBy])
      .where('status', '!=', 'resolved')
      .orderBy('id')
      .execute();
    if (open.length > 0) throw tasksErrors.TASKS_BLOCKED({}, { blockedBy: open.map((r) => r.id) });
  }

  /** Replace a task's blockers; a change that would close a dependency cycle is rejected naming it. */
  async setBlockers(teamName: string, id: string, blockedBy: readonly string[]): Promise<TeamTask> {
    await this.require(teamName, id);
    await this.#db.transaction().execute(async (trx) => {
      const blockers = await this.#checkBlockers(teamName, blockedBy, trx);
      const rows = await trx
        .selectFrom('task_blockers as b')
        .innerJoin('tasks as t', 't.id', 'b.task_id')
        .select(['b.task_id', 'b.blocker_id'])
        .where('t.team_name', '=', teamName)
        .where('b.task_id', '!=', id)
        .execute();
      const edges = new Map<string, string[]>();
      for (const row of rows) {
        const list = edges.get(row.task_id) ?? [];
        list.push(row.blocker_id);
        edges.set(row.task_id, list);
      }
      const cycle = findCycle(id, blockers, edges);
      if (cycle) throw tasksErrors.TASKS_DEPENDENCY_CYCLE({ path: cycle.join(' → ') }, { field: 'blockedBy', cycle });
      await trx.deleteFrom('task_blockers').where('task_id', '=', id).execute();
      if (blockers.length > 0)
        await trx
          .insertInto('task_blockers')
          .values(blockers.map((blocker) => ({ task_id: id, blocker_id: blocker })))
          .execute();
      await trx.updateTable('tasks').set({ updated_at: Date.now() }).where('id', '=', id).execute();
    });
    return this.#announceUpdate(teamName, id);
  }

  /**
   * Take an open, unowned task whose blockers are resolved, in one conditional UPDATE: of many
   * concurrent claimers exactly one changes the row; the others get 409. Without an id, the
   * oldest ready unowned task is taken.
   */
  async claim(teamName: string, claimer: TeamAgent, id?: string): Promise<TeamTask> {
    const candidates = id ? [id] : await this.#claimable(teamName);
    if (id) {
      const task = await this.require(teamName, id);
      if (task.ownerUid) throw tasksErrors.TASKS_ALREADY_CLAIMED({ owner: task.ownerHandle ?? '' }, { taskId: id });
      if (task.status !== 'open') throw tasksErrors.TASKS_NOT_OPEN({ status: task.status }, { taskId: id });
    }
    for (const candidate of candidates) {
      // Asked about the task it would take, just before the conditional UPDATE that takes it.
      await this.#admissions.admit({
        action: 'claim',
        teamName,
        taskId: candidate,
        ownerHandle: claimer.handle,
      });
      const result = await this.#db
        .updateTable('tasks')
        .set({ owner_uid: claimer.uid, owner_handle: claimer.handle, status: 'in_progress', updated_at: Date.now() })
        .where('team_name', '=', teamName)
        .where('id', '=', candidate)
        .where('owner_uid', 'is', null)
        .where('status', '=', 'open')
        .where(noOpenBlocker)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return this.#announceUpdate(teamName, candidate);
    }
    if (id) {
      const task = await this.require(teamName, id);
      throw task.ownerUid
        ? tasksErrors.TASKS_ALREADY_CLAIMED({ owner: task.ownerHandle ?? '' }, { taskId: id })
        : tasksErrors.TASKS_CLAIM_BLOCKED({}, { taskId: id });
    }
    throw tasksErrors.TASKS_NOTHING_TO_CLAIM();
  }

  /** The priorities a task may have, most urgent first. */
  readonly priorities = TASK_PRIORITIES;

  /** Up to 20 ready, unowned tasks a claim may take: the most urgent first, then the oldest. */
  async #claimable(teamName: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('tasks')
      .select('id')
      .where('team_name', '=', teamName)
      .where('status', '=', 'open')
      .where('owner_uid', 'is', null)
      .where(noOpenBlocker)
      .orderBy(priorityRank)
      .orderBy('created_at')
      .orderBy('id')
      .limit(20)
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Set a task's priority (a lead's PATCH, or a passed proposal whose winning option is the priority):
   * anything but critical, high, normal or low is a 400 naming `priority`.
   */
  async setPriority(teamName: string, id: string, priority: string): Promise<TeamTask> {
    if (!isPriority(priority)) throw tasksErrors.TASKS_INVALID_PRIORITY({ priority }, { field: 'priority' });
    const result = await this.#db
      .updateTable('tasks')
      .set({ priority, updated_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw tasksErrors.TASKS_TASK_NOT_FOUND();
    return this.#announceUpdate(teamName, id);
  }

  /**
   * Give a task that has no owner and is not resolved to `owner`, for another plugin's decision (an
   * auction's winner): one conditional UPDATE, so of concurrent assignments (and claims) exactly one
   * wins and the others get 409 (already claimed, or not open when resolved); the status is kept.
   * The admission checks run first ('assign'). The seed's assignment DM from `by` goes out in the same
   * transaction, and `within` runs in it too (the caller joins it with ctx.join: its rows commit with
   * the assignment, and its throw undoes both). Events go out after the commit.
   */
  async assign(
    teamName: string,
    input: { id: string; owner: TeamAgent; by: TeamAgent },
    within?: (trx: AnyTransaction) => Promise<void>,
  ): Promise<TeamTask> {
    const { id, owner, by } = input;
    const before = await this.require(teamName, id);
    const refuse = (task: TeamTask) =>
      task.ownerUid
        ? tasksErrors.TASKS_ALREADY_CLAIMED({ owner: task.ownerHandle ?? '' }, { taskId: id })
        : tasksErrors.TASKS_NOT_OPEN({ status: task.status }, { taskId: id });
    if (before.ownerUid || before.status === 'resolved') throw refuse(before);
    await this.#admissions.admit({ action: 'assign', teamName, taskId: id, ownerHandle: owner.handle });
    const mail = this.#mail();
    let assignment: { chatId: string; message: ChatMessage } | undefined;
    const taken = await this.#db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('tasks')
        .set({ owner_uid: owner.uid, owner_handle: owner.handle, updated_at: Date.now() })
        .where('team_name', '=', teamName)
        .where('id', '=', id)
        .where('owner_uid', 'is', null)
        .where('status', '!=', 'resolved')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      if (owner.uid !== by.uid) {
        const chatId = await mail.chats.ensureDm(teamName, by.uid, owner.uid, trx);
        const text = `[TASK] ${before.subject}\n\n${before.description ?? ''}`;
        const message = await mail.chats.record(trx, { id: chatId, teamName }, by, text, {
          taskId: id,
          type: 'task_assignment',
        });
        assignment = { chatId, message };
      }
      await within?.(trx);
      return true;
    });
    if (!taken) throw refuse(await this.require(teamName, id));
    const task = await this.#announceUpdate(teamName, id);
    if (assignment)
      this.#emit('task_assigned', teamName, {
        chatId: assignment.chatId,
        message: assignment.message,
        handle: by.handle,
        task,
      });
    return task;
  }

  /**
   * Undo an assignment that its caller could not complete (an auction whose charge failed): the
   * owner is cleared only while it is still `ownerHandle` and the task is not resolved. Returns
   * whether it was.
   */
  async release(teamName: string, id: string, ownerHandle: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('tasks')
      .set({ owner_uid: null, owner_handle: null, updated_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .where('owner_handle', '=', ownerHandle)
      .where('status', '!=', 'resolved')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await this.#announceUpdate(teamName, id);
    return true;
  }

  async list(teamName: string, query: TaskQuery): Promise<TeamTask[]> {
    let q = this.#db.selectFrom('tasks').selectAll().where('team_name', '=', teamName);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.ownerHandle) q = q.where('owner_handle', '=', query.ownerHandle);
    if (query.unassigned) q = q.where('owner_uid', 'is', null);
    if (query.ready) {
      q = q.where('status', '=', 'open').where(noOpenBlocker);
    }
    const rows = await q.orderBy('created_at').orderBy('id').limit(query.limit).offset(query.offset).execute();
    return this.#hydrate(rows);
  }

  /** Tasks by status, of one team or (teamName undefined: the metrics plugin) of the fleet. */
  async counts(teamName?: string): Promise<Record<TaskStatus, number>> {
    let query = this.#db.selectFrom('tasks').select(['status', (eb) => eb.fn.countAll<number>().as('n')]);
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    const rows = await query.groupBy('status').execute();
    const counts: Record<TaskStatus, number> = { open: 0, in_progress: 0, resolved: 0, blocked: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Tasks of one team, or of the fleet when teamName is undefined. */
  async countAll(teamName?: string): Promise<number> {
    let query = this.#db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n'));
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** task_updated; and task_resolved when this change resolved it (not a blocker change of a resolved task). */
  async #announceUpdate(
    teamName: string,
    id: string,
    resolution?: { resolvedBy: TaskResolver | null },
  ): Promise<TeamTask> {
    const task = (await this.get(teamName, id))!;
    this.#emit('task_updated', teamName, { task });
    if (resolution) this.#emit('task_resolved', teamName, { task, resolvedBy: resolution.resolvedBy });
    return task;
  }
}
