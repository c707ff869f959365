import type { Kysely, Selectable } from 'kysely';
import * as v from 'valibot';
import { invalidInput, type PluginContext } from '../../core/index.js';
import { checkpointsErrors } from './errors.js';
import { type CheckpointInput, checkpointInput } from './fields.js';
import type { CheckpointStatus, CheckpointsTable, CheckpointsTables } from './tables.js';

export type { CheckpointStatus } from './tables.js';
export type { CheckpointInput } from './fields.js';

/** The structured "where I am", in the seed's shape (files under `files`). */
export interface Checkpoint {
  goal: string;
  now: string;
  test: string | null;
  doneThisSession: { task: string; files: string[] }[];
  blockers: string[];
  questions: string[];
  worked: string[];
  failed: string[];
  next: string[];
  files: { created: string[]; modified: string[] };
}

/** The seed's CheckpointInfo, plus who wrote it, who decided, and when it was delivered. Times in ms. */
export interface CheckpointInfo {
  id: number;
  fromHandle: string;
  toHandle: string;
  status: CheckpointStatus;
  /** The note given with accept or reject (the seed's field, which it never set). */
  outcome: string | null;
  createdAt: number;
  /** When it was accepted; null while pending and for a rejected one. */
  acceptedAt: number | null;
  checkpoint: Checkpoint;
  /** fromHandle, or the lead that created it for that agent. */
  createdBy: string;
  decidedBy: string | null;
  decidedAt: number | null;
  /** When it went into its recipient's first prompt (accepted ones, once). */
  deliveredAt: number | null;
}

export interface CheckpointQuery {
  status?: CheckpointStatus;
  limit: number;
  offset: number;
}

type Db = Kysely<CheckpointsTables>;
type Row = Selectable<CheckpointsTable>;
type Emit = PluginContext['events']['emit'];

const nullableMs = (value: number | null) => (value === null ? null : Number(value));

function toInfo(row: Row): CheckpointInfo {
  const decidedAt = nullableMs(row.decided_at);
  return {
    id: Number(row.id),
    fromHandle: row.from_handle,
    toHandle: row.to_handle,
    status: row.status,
    outcome: row.note,
    createdAt: Number(row.created_at),
    acceptedAt: row.status === 'accepted' ? decidedAt : null,
    checkpoint: JSON.parse(row.body) as Checkpoint,
    createdBy: row.created_by,
    decidedBy: row.decided_by,
    decidedAt,
    deliveredAt: nullableMs(row.delivered_at),
  };
}

/** The stored structure: every key present, lists empty when not given. */
function structure(input: CheckpointInput): Checkpoint {
  return {
    goal: input.goal,
    now: input.now,
    test: input.test ?? null,
    doneThisSession: (input.doneThisSession ?? []).map((item) => ({ task: item.task, files: item.files ?? [] })),
    blockers: input.blockers ?? [],
    questions: input.questions ?? [],
    worked: input.worked ?? [],
    failed: input.failed ?? [],
    next: input.next ?? [],
    files: { created: input.filesCreated ?? [], modified: input.filesModified ?? [] },
  };
}

/** What the events say: ids, handles and status, never the checkpoint's text. */
const summary = (info: CheckpointInfo) => ({
  id: info.id,
  fromHandle: info.fromHandle,
  toHandle: info.toHandle,
  status: info.status,
  createdBy: info.createdBy,
  decidedBy: info.decidedBy,
});
export type CheckpointSummary = ReturnType<typeof summary>;

/** Checkpoints of one team per call: created, read, accepted or rejected once, delivered once. */
export class CheckpointService {
  readonly #db: Db;
  readonly #emit: Emit;

  constructor(db: Db, emit: Emit) {
    this.#db = db;
    this.#emit = emit;
  }

  /**
   * Store a checkpoint from `fromHandle` to `toHandle` (who need not be registered yet: a worker
   * spawned later under that handle gets it). The input is checked against the route's schema, so
   * another plugin's code gets the same limits (a 400 naming the field); `fitCheckpoint` trims to them.
   */
  async create(
    teamName: string,
    input: { fromHandle: string; toHandle?: string; createdBy?: string; checkpoint: CheckpointInput },
  ): Promise<CheckpointInfo> {
    const parsed = v.safeParse(checkpointInput, input.checkpoint);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const field = issue.path?.map((item) => String(item.key)).join('.') || 'checkpoint';
      throw invalidInput(field, issue.input === undefined ? 'is required' : issue.message);
    }
    const row = {
      team_name: teamName,
      from_handle: input.fromHandle,
      to_handle: input.toHandle ?? input.fromHandle,
      created_by: input.createdBy ?? input.fromHandle,
      body: JSON.stringify(structure(parsed.output)),
      status: 'pending' as const,
      note: null,
      decided_by: null,
      decided_at: null,
      delivered_at: null,
      created_at: Date.now(),
    };
    const inserted = await this.#db.insertInto('checkpoints').values(row).returning('id').executeTakeFirstOrThrow();
    const info = toInfo({ ...row, id: Number(inserted.id) });
    this.#emit('checkpoint_created', teamName, { checkpoint: summary(info) });
    return info;
  }

  async get(teamName: string, id: number): Promise<CheckpointInfo | undefined> {
    const row = await this.#db
      .selectFrom('checkpoints')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toInfo(row) : undefined;
  }

  async require(teamName: string, id: number): Promise<CheckpointInfo> {
    const info = await this.get(teamName, id);
    if (!info) throw checkpointsErrors.CHECKPOINTS_NOT_FOUND({}, { id });
    return info;
  }

  /** The newest checkpoint addressed to `handle` (of any status, or of the one given). */
  async latestFor(teamName: string, handle: string, status?: CheckpointStatus): Promise<CheckpointInfo | undefined> {
    let query = this.#db
      .selectFrom('checkpoints')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('to_handle', '=', handle);
    if (status) query = query.where('status', '=', status);
    const row = await query.orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? toInfo(row) : undefined;
  }

  /** Checkpoints from or to `handle`, newest first, of one status when asked. */
  async list(teamName: string, handle: string, query: CheckpointQuery): Promise<CheckpointInfo[]> {
    let q = this.#db
      .selectFrom('checkpoints')
      .selectAll()
      .where('team_name', '=', teamName)
      .where((eb) => eb.or([eb('from_handle', '=', handle), eb('to_handle', '=', handle)]));
    if (query.status) q = q.where('status', '=', query.status);
    const rows = await q.orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute();
    return rows.map(toInfo);
  }

  /** Accepted checkpoints addressed to `handle`, oldest first; only those not delivered yet when asked. */
  async acceptedFor(
    teamName: string,
    handle: string,
    options: { undelivered?: boolean } = {},
  ): Promise<CheckpointInfo[]> {
    let query = this.#db
      .selectFrom('checkpoints')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('to_handle', '=', handle)
      .where('status', '=', 'accepted');
    if (options.undelivered) query = query.where('delivered_at', 'is', null);
    return (await query.orderBy('id').execute()).map(toInfo);
  }

  /** Pending checkpoints addressed to `handle`, oldest first. */
  async pendingFor(teamName: string, handle: string): Promise<CheckpointInfo[]> {
    const rows = await this.#db
      .selectFrom('checkpoints')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('to_handle', '=', handle)
      .where('status', '=', 'pending')
      .orderBy('id')
      .execute();
    return rows.map(toInfo);
  }

  /**
   * Accept or reject once: one conditional UPDATE, so of two concurrent decisions one wins and the
   * other gets 409 naming the status it found.
   */
  async decide(
    teamName: string,
    id: number,
    decision: 'accepted' | 'rejected',
    decidedBy: string,
    note?: string,
  ): Promise<CheckpointInfo> {
    const result = await this.#db
      .updateTable('checkpoints')
      .set({ status: decision, decided_by: decidedBy, decided_at: Date.now(), note: note ?? null })
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    const info = await this.require(teamName, id);
    if (Number(result.numUpdatedRows) === 0)
      throw checkpointsErrors.CHECKPOINTS_ALREADY_PROCESSED({}, { id, status: info.status });
    this.#emit(decision === 'accepted' ? 'checkpoint_accepted' : 'checkpoint_rejected', teamName, {
      checkpoint: summary(info),
    });
    return info;
  }

  /**
   * Mark accepted checkpoints delivered, each in its own conditional UPDATE: returns the ids this
   * call marked, so two briefings at once never both deliver the same checkpoint.
   */
  async markDelivered(teamName: string, ids: readonly number[]): Promise<number[]> {
    const marked: number[] = [];
    for (const id of ids) {
      const result = await this.#db
        .updateTable('checkpoints')
        .set({ delivered_at: Date.now() })
        .where('team_name', '=', teamName)
        .where('id', '=', id)
        .where('status', '=', 'accepted')
        .where('delivered_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) marked.push(id);
    }
    return marked;
  }

  /** Checkpoints of one team, or of the fleet when teamName is undefined. */
  async countAll(teamName?: string): Promise<number> {
    let query = this.#db.selectFrom('checkpoints').select((eb) => eb.fn.countAll<number>().as('n'));
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }
}
