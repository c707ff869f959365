import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { agentUid, type FleetEventMap, type FleetEvent, type Logger } from '../../../core/index.js';
import { swarmCoreErrors as errors } from '../errors.js';
import { ENDED_STATES, type SwarmAdmissionRequest, type WorkersPort } from '../ports.js';
import type { SwarmCoreTables, SwarmsTable } from '../tables.js';

export interface SwarmMember {
  id: string;
  handle: string;
  state: string;
}

export interface SwarmView {
  id: string;
  name: string;
  description: string | null;
  maxAgents: number;
  createdBy: string;
  createdAt: string;
  agents?: SwarmMember[];
}

type Emit = <K extends 'swarm_created' | 'swarm_killed'>(
  type: K,
  team: string,
  data: FleetEventMap[K],
) => FleetEvent<FleetEventMap[K]>;

function view(row: SwarmsTable): SwarmView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    maxAgents: Number(row.max_agents),
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

/** How long an admitted spawn holds its place before its worker row is there to be counted. */
const RESERVATION_MS = 30_000;

/** Swarms of a team: persisted rows; members are the workers spawned with the swarm's id. */
export class SwarmService {
  /** Spawns admitted into a swarm whose worker may not be stored yet: `team/swarm` → handle → admitted at. */
  readonly #reserved = new Map<string, Map<string, number>>();
  /** One admission at a time per swarm: two spawns must not both take its last place. */
  #admitting = Promise.resolve();

  constructor(
    private readonly deps: {
      db: Kysely<SwarmCoreTables>;
      workers: () => WorkersPort | undefined;
      emit: Emit;
      log: Logger;
    },
  ) {}

  async create(
    teamName: string,
    createdBy: string,
    input: { name: string; description?: string; maxAgents?: number },
  ): Promise<SwarmView> {
    const row: SwarmsTable = {
      id: `swarm-${randomBytes(4).toString('hex')}`,
      team_name: teamName,
      name: input.name,
      description: input.description ?? null,
      max_agents: input.maxAgents ?? 10,
      created_by: createdBy,
      created_at: Date.now(),
    };
    await this.deps.db.insertInto('swarms').values(row).execute();
    const swarm = view(row);
    this.deps.emit('swarm_created', teamName, { swarm });
    return swarm;
  }

  async get(teamName: string, id: string): Promise<SwarmView | undefined> {
    const row = await this.deps.db
      .selectFrom('swarms')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? view(row) : undefined;
  }

  /** The swarm, or 404 SWARM_NOT_FOUND (another team's swarm is not found either). */
  async require(teamName: string, id: string, field?: string): Promise<SwarmView> {
    const swarm = await this.get(teamName, id);
    if (!swarm) throw errors.SWARM_NOT_FOUND({ id }, field ? { field } : {});
    return swarm;
  }

  /** With its members. */
  async describe(teamName: string, id: string): Promise<SwarmView> {
    const swarm = await this.require(teamName, id);
    return { ...swarm, agents: await this.members(teamName, id) };
  }

  /** The team's swarms, newest first; with `includeAgents`, each with its members. */
  async list(teamName: string, includeAgents = false): Promise<SwarmView[]> {
    const rows = await this.deps.db
      .selectFrom('swarms')
      .selectAll()
      .where('team_name', '=', teamName)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    const swarms = rows.map(view);
    if (!includeAgents) return swarms;
    return Promise.all(swarms.map(async (swarm) => ({ ...swarm, agents: await this.members(teamName, swarm.id) })));
  }

  /** Live workers spawned into the swarm (none without the workers plugin). */
  async members(teamName: string, id: string): Promise<SwarmMember[]> {
    const rows = (await this.deps.workers()?.manager.store.listSwarm?.(teamName, id)) ?? [];
    return rows
      .filter((row) => !ENDED_STATES.includes(row.state))
      .map((row) => ({ id: agentUid(teamName, row.handle), handle: row.handle, state: row.state }));
  }

  /** Whether `handle` is a live worker, and of which swarm (null: none); undefined when not a live worker. */
  async membership(teamName: string, handle: string): Promise<{ swarmId: string | null } | undefined> {
    const row = await this.deps.workers()?.manager.store.get(teamName, handle);
    if (!row || ENDED_STATES.includes(row.state)) return undefined;
    return { swarmId: row.swarm_id ?? null };
  }

  /** The swarm a live worker belongs to (from the workers plugin's stored swarm id). */
  async swarmOf(teamName: string, handle: string): Promise<string | undefined> {
    const row = await this.deps.workers()?.manager.store.get(teamName, handle);
    if (!row || ENDED_STATES.includes(row.state)) return undefined;
    return row.swarm_id ?? undefined;
  }

  /**
   * The workers plugin's admission check for a spawn into a swarm: the swarm must be the team's,
   * and have room (its live members and the spawns admitted but not stored yet < maxAgents).
   */
  admit(request: SwarmAdmissionRequest): Promise<undefined> {
    if (request.action !== 'spawn' || request.swarmId === undefined) return Promise.resolve(undefined);
    const next = this.#admitting.then(() => this.#admitOne(request.teamName, request.swarmId!, request.handle));
    this.#admitting = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  async #admitOne(teamName: string, swarmId: string, handle: string): Promise<undefined> {
    const swarm = await this.require(teamName, swarmId, 'swarmId');
    const key = `${teamName}/${swarmId}`;
    const now = Date.now();
    const reserved = this.#reserved.get(key) ?? new Map<string, number>();
    const store = this.deps.workers()?.manager.store;
    // A reservation ends when its worker's row has been written since the admission: live, it is
    // counted as a member; already ended (dismissed before anyone looked), it no longer takes a place.
    for (const [held, admittedAt] of reserved) {
      const row = admittedAt + RESERVATION_MS > now ? await store?.get(teamName, held) : undefined;
      if (admittedAt + RESERVATION_MS <= now || Number(row?.updated_at ?? -1) >= admittedAt) reserved.delete(held);
    }
    const live = new Set((await this.members(teamName, swarmId)).map((member) => member.handle));
    live.delete(handle);
    const taken = live.size + [...reserved.keys()].filter((held) => held !== handle && !live.has(held)).length;
    if (taken >= swarm.maxAgents)
      throw errors.SWARM_FULL({ id: swarmId, live: taken, maxAgents: swarm.maxAgents }, { field: 'swarmId' });
    reserved.set(handle, now);
    this.#reserved.set(key, reserved);
    return undefined;
  }

  /**
   * Dismiss every member through the workers plugin (their tokens revoked); `graceful: false`
   * also deletes the swarm and its blackboard. Says exactly which workers were dismissed.
   */
  async kill(
    teamName: string,
    id: string,
    options: { graceful: boolean; by: string },
  ): Promise<{ success: true; swarmId: string; dismissed: string[]; failed: string[]; deleted: boolean }> {
    await this.require(teamName, id);
    const workers = this.deps.workers();
    const dismissed: string[] = [];
    const failed: string[] = [];
    for (const member of await this.members(teamName, id)) {
      try {
        await workers!.manager.dismiss(teamName, member.handle);
        await workers!.revokeTokens(teamName, member.handle, `swarm ${id} killed by ${options.by}`);
        dismissed.push(member.handle);
      } catch (error) {
        this.deps.log.warn('swarm kill: a worker could not be dismissed', {
          swarmId: id,
          handle: member.handle,
          error: (error as Error).message,
        });
        failed.push(member.handle);
      }
    }
    this.#reserved.delete(`${teamName}/${id}`);
    const deleted = !options.graceful;
    if (deleted)
      await this.deps.db.transaction().execute(async (trx) => {
        const messages = trx
          .selectFrom('blackboard')
          .select('id')
          .where('team_name', '=', teamName)
          .where('swarm_id', '=', id);
        await trx.deleteFrom('blackboard_reads').where('message_id', 'in', messages).execute();
        await trx.deleteFrom('blackboard').where('team_name', '=', teamName).where('swarm_id', '=', id).execute();
        await trx.deleteFrom('swarms').where('team_name', '=', teamName).where('id', '=', id).execute();
      });
    this.deps.emit('swarm_killed', teamName, { swarmId: id, dismissed, deleted });
    return { success: true, swarmId: id, dismissed, failed, deleted };
  }

  async count(teamName: string | undefined): Promise<number> {
    let query = this.deps.db.selectFrom('swarms').select((eb) => eb.fn.countAll<number>().as('n'));
    if (teamName !== undefined) query = query.where('team_name', '=', teamName);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }
}
