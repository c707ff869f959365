import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Logger, PluginContext } from '../../../core/index.js';
import { DEFAULT_DECAY, type DecaySettings, effectiveIntensity, lifetimeMs, stepShiftMs } from './decay.js';
import type { TrailSummary } from './events.js';
import {
  type PheromoneHeatTable,
  type PheromoneTables,
  type PheromoneTrailsTable,
  RESOURCE_TYPES,
  type ResourceType,
  TRAIL_TYPES,
  type TrailType,
} from './tables.js';
import { TRAIL_WEIGHTS } from './weights.js';

type Db = Kysely<PheromoneTables>;
type Executor = Pick<Db, 'insertInto'>;
type Row = Selectable<PheromoneTrailsTable>;
type Emit = PluginContext['events']['emit'];

/** The trail space of a team's workers outside any swarm (swarm ids are `swarm-<hex>`, so no clash). */
export const TEAM_TRAILS = 'team';

export interface DepositInput {
  swarmId: string;
  resourceType: ResourceType;
  resourceId: string;
  depositorHandle: string;
  trailType: TrailType;
  intensity?: number;
  metadata?: Record<string, unknown>;
}

/** The seed's trail; `intensity` is the effective one now, `depositedIntensity` what was stored. */
export interface Trail {
  id: string;
  swarmId: string;
  resourceType: ResourceType;
  resourceId: string;
  depositorHandle: string;
  trailType: TrailType;
  intensity: number;
  depositedIntensity: number;
  metadata: Record<string, unknown>;
  createdAt: number;
  /** When it went below the minimum (decay) or was retired by POST /pheromones/decay; null while active. */
  decayedAt: number | null;
}

export interface TrailQuery {
  resourceType?: ResourceType;
  resourceId?: string;
  trailType?: TrailType;
  depositorHandle?: string;
  /** On the effective intensity. */
  minIntensity?: number;
  /** Default true: only trails still above the minimum. */
  activeOnly?: boolean;
  limit: number;
}

export interface Activity {
  resourceId: string;
  resourceType: ResourceType;
  totalIntensity: number;
  trailCount: number;
  uniqueDepositors: number;
  lastActivity: number;
}

export interface HotResource extends Activity {
  /** SUM(effective intensity × the type's weight). */
  score: number;
  /** Active trails per type. */
  byType: Partial<Record<TrailType, number>>;
}

export interface PheromoneServiceOptions {
  db: Kysely<unknown> | Db;
  dialect: 'sqlite' | 'postgres';
  clock?: () => number;
  log: Logger;
  emit: Emit;
  decay?: DecaySettings;
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
const num = (value: unknown) => Number(value ?? 0);

/** Deposits, read-time decay, queries and hot resources over the pheromone_trails table, scoped by team. */
export class PheromoneService {
  readonly db: Db;
  readonly dialect: 'sqlite' | 'postgres';
  readonly decaySettings: DecaySettings;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly emit: Emit;

  constructor(options: PheromoneServiceOptions) {
    this.db = options.db as Db;
    this.dialect = options.dialect;
    this.clock = options.clock ?? Date.now;
    this.log = options.log;
    this.emit = options.emit;
    this.decaySettings = options.decay ?? DEFAULT_DECAY;
  }

  now(): number {
    return this.clock();
  }

  /** The effective intensity of each row at `now`, in SQL (power() on both engines). */
  private effective(now: number) {
    const d = this.decaySettings;
    return sql<number>`intensity * power(cast(${1 - d.rate} as double precision),
      cast(${now} - created_at as double precision) / cast(${d.periodMs} as double precision))`;
  }

  private row(teamName: string, input: DepositInput, now: number): PheromoneTrailsTable {
    const intensity = input.intensity ?? 1;
    return {
      id: randomUUID(),
      team_name: teamName,
      swarm_id: input.swarmId,
      resource_type: input.resourceType,
      resource_id: input.resourceId,
      depositor_handle: input.depositorHandle,
      trail_type: input.trailType,
      intensity,
      metadata: input.metadata ? JSON.stringify(input.metadata) : null,
      created_at: now,
      expires_at: now + lifetimeMs(intensity, this.decaySettings),
      decayed_at: null,
    };
  }

  private view(row: Row, now: number): Trail {
    const createdAt = num(row.created_at);
    const expiresAt = num(row.expires_at);
    const decayedAt = row.decayed_at === null ? (expiresAt <= now ? expiresAt : null) : num(row.decayed_at);
    return {
      id: row.id,
      swarmId: row.swarm_id,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      depositorHandle: row.depositor_handle,
      trailType: row.trail_type,
      intensity: round(
        decayedAt === null ? effectiveIntensity(num(row.intensity), now - createdAt, this.decaySettings) : 0,
      ),
      depositedIntensity: num(row.intensity),
      metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : {},
      createdAt,
      decayedAt,
    };
  }

  private announce(teamName: string, row: PheromoneTrailsTable): void {
    const trail: TrailSummary = {
      id: row.id,
      swarmId: row.swarm_id,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      trailType: row.trail_type,
      depositorHandle: row.depositor_handle,
    };
    this.emit('pheromone:deposit', teamName, { trail });
  }

  async deposit(teamName: string, input: DepositInput): Promise<Trail> {
    const now = this.now();
    const row = this.row(teamName, input, now);
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('pheromone_trails').values(row).execute();
      await this.addHeat(trx, [row], now);
    });
    this.announce(teamName, row);
    return this.view(row, now);
  }

  /** Many trails in one transaction, in multi-row inserts (the automatic trails' path). Returns how many. */
  async depositMany(teamName: string, inputs: readonly DepositInput[], options: { announce?: boolean } = {}) {
    if (inputs.length === 0) return 0;
    const now = this.now();
    const rows = inputs.map((input) => this.row(teamName, input, now));
    // 12 columns a row: 500 rows stay under SQLite's and PostgreSQL's bound-parameter limits.
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('pheromone_trails')
          .values(rows.slice(i, i + 500))
          .execute();
      await this.addHeat(trx, rows, now);
    });
    if (options.announce !== false) for (const row of rows) this.announce(teamName, row);
    return rows.length;
  }

  /** The decayed mass of `anchor_at` carried to `now` (an SQL expression over pheromone_heat). */
  private decayedMass(now: number) {
    const d = this.decaySettings;
    return sql<number>`pheromone_heat.mass * power(cast(${1 - d.rate} as double precision),
      cast(${now} - pheromone_heat.anchor_at as double precision) / cast(${d.periodMs} as double precision))`;
  }

  /** Add trails to their resources' decayed sums: one upsert row per resource and type. */
  private async addHeat(trx: Executor, rows: readonly PheromoneTrailsTable[], now: number): Promise<void> {
    const sums = new Map<string, PheromoneHeatTable>();
    for (const row of rows) {
      const key = `${row.swarm_id}\0${row.resource_id}\0${row.resource_type}\0${row.trail_type}`;
      const sum = sums.get(key);
      if (sum) sum.mass += row.intensity;
      else
        sums.set(key, {
          team_name: row.team_name,
          swarm_id: row.swarm_id,
          resource_id: row.resource_id,
          resource_type: row.resource_type,
          trail_type: row.trail_type,
          mass: row.intensity,
          anchor_at: now,
          last_at: now,
        });
    }
    const d = this.decaySettings;
    const list = [...sums.values()];
    for (let i = 0; i < list.length; i += 500)
      await trx
        .insertInto('pheromone_heat')
        .values(list.slice(i, i + 500))
        .onConflict((oc) =>
          oc.columns(['team_name', 'swarm_id', 'resource_id', 'resource_type', 'trail_type']).doUpdateSet({
            mass: sql<number>`pheromone_heat.mass * power(cast(${1 - d.rate} as double precision),
              cast(excluded.anchor_at - pheromone_heat.anchor_at as double precision)
              / cast(${d.periodMs} as double precision)) + excluded.mass`,
            anchor_at: sql<number>`excluded.anchor_at`,
            last_at: sql<number>`excluded.last_at`,
          }),
        )
        .execute();
  }

  async query(teamName: string, swarmId: string, query: TrailQuery): Promise<{ trails: Trail[]; count: number }> {
    const now = this.now();
    const effective = this.effective(now);
    let q = this.db
      .selectFrom('pheromone_trails')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId);
    if (query.activeOnly !== false) q = q.where('expires_at', '>', now).where('decayed_at', 'is', null);
    if (query.resourceType) q = q.where('resource_type', '=', query.resourceType);
    if (query.resourceId !== undefined) q = q.where('resource_id', '=', query.resourceId);
    if (query.trailType) q = q.where('trail_type', '=', query.trailType);
    if (query.depositorHandle) q = q.where('depositor_handle', '=', query.depositorHandle);
    if (query.minIntensity !== undefined && query.minIntensity > 0)
      q = q.where('decayed_at', 'is', null).where(effective, '>=', query.minIntensity);
    const rows = await q
      .orderBy(sql`case when decayed_at is null then ${effective} else 0 end`, 'desc')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(query.limit)
      .execute();
    const trails = rows.map((row) => this.view(row, now));
    return { trails, count: trails.length };
  }

  /** The seed's per-resource route: active trails of one resource, 100 at most. */
  resource(teamName: string, swarmId: string, resourceId: string) {
    return this.query(teamName, swarmId, { resourceId, limit: 100 });
  }

  /** The seed's activity: active trails grouped by resource, by SUM(effective intensity). */
  async activity(teamName: string, swarmId: string, options: { resourceType?: ResourceType; limit: number }) {
    const hot = await this.hot(teamName, swarmId, { ...options, weighted: false });
    const activity: Activity[] = hot.resources.map(({ score: _score, byType: _byType, ...rest }) => rest);
    return { activity, count: activity.length };
  }

  /**
   * Hot resources: resources scored by SUM(decayed intensity × weight of the trail's type)
   * (`weighted: false`: the seed's unweighted sum), highest first, from the decayed sums per
   * resource and type (pheromone_heat: thousands of rows a swarm, not millions of trails); the
   * counts (active trails, depositors, by type) of the resources returned come from their trails.
   * A resource whose every trail went below the minimum is left out.
   */
  async hot(
    teamName: string,
    swarmId: string,
    options: { resourceType?: ResourceType; trailType?: TrailType; limit: number; weighted?: boolean },
  ): Promise<{ resources: HotResource[]; count: number }> {
    const now = this.now();
    const mass = this.decayedMass(now);
    const weight =
      options.weighted === false
        ? sql<number>`1`
        : sql<number>`case pheromone_heat.trail_type ${sql.join(
            TRAIL_TYPES.map((t) => sql`when ${sql.lit(t)} then ${sql.lit(TRAIL_WEIGHTS[t])}`),
            sql` `,
          )} else 1 end`;
    let q = this.db.selectFrom('pheromone_heat').where('team_name', '=', teamName).where('swarm_id', '=', swarmId);
    if (options.resourceType) q = q.where('resource_type', '=', options.resourceType);
    if (options.trailType) q = q.where('trail_type', '=', options.trailType);
    const sums = await q
      .select([
        'resource_id',
        'resource_type',
        sql<number>`sum(${mass} * ${weight})`.as('score'),
        sql<number>`sum(${mass})`.as('total'),
        sql<number>`max(pheromone_heat.last_at)`.as('last_activity'),
      ])
      .groupBy(['resource_id', 'resource_type'])
      .having(sql<number>`sum(${mass})`, '>=', this.decaySettings.minIntensity)
      .orderBy('score', 'desc')
      .orderBy('resource_id')
      .limit(options.limit)
      .execute();
    if (sums.length === 0) return { resources: [], count: 0 };
    const ids = [...new Set(sums.map((row) => row.resource_id))];
    let details = this.db
      .selectFrom('pheromone_trails')
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('resource_id', 'in', ids)
      .where('expires_at', '>', now)
      .where('decayed_at', 'is', null);
    if (options.resourceType) details = details.where('resource_type', '=', options.resourceType);
    if (options.trailType) details = details.where('trail_type', '=', options.trailType);
    // One pass over the resources' active trails (a covering index): counts per type and depositor.
    const groups = await details
      .select(['resource_id', 'resource_type', 'trail_type', 'depositor_handle', sql<number>`count(*)`.as('n')])
      .groupBy(['resource_id', 'resource_type', 'trail_type', 'depositor_handle'])
      .execute();
    const key = (row: { resource_id: string; resource_type: string }) => `${row.resource_type}\0${row.resource_id}`;
    const counts = new Map<string, Partial<Record<TrailType, number>>>();
    const people = new Map<string, Set<string>>();
    for (const row of groups) {
      const byType = counts.get(key(row)) ?? {};
      byType[row.trail_type] = (byType[row.trail_type] ?? 0) + num(row.n);
      counts.set(key(row), byType);
      const who = people.get(key(row)) ?? new Set<string>();
      who.add(row.depositor_handle);
      people.set(key(row), who);
    }
    const resources: HotResource[] = [];
    for (const row of sums) {
      const byType = counts.get(key(row));
      if (!byType) continue;
      resources.push({
        resourceId: row.resource_id,
        resourceType: row.resource_type,
        score: round(num(row.score)),
        totalIntensity: round(num(row.total)),
        trailCount: Object.values(byType).reduce((a, b) => a + b, 0),
        uniqueDepositors: people.get(key(row))?.size ?? 0,
        lastActivity: num(row.last_activity),
        byType,
      });
    }
    return { resources, count: resources.length };
  }

  /**
   * The manual decay (lead): one step of the seed's formula on the stored intensity of the team's
   * active trails (of one swarm, or of all its swarms), retiring those the step takes below
   * `minIntensity`. Reads decay by time without it; this ages trails by hand.
   */
  async decay(teamName: string, options: { swarmId?: string; decayRate: number; minIntensity: number }) {
    const now = this.now();
    const effective = this.effective(now);
    const keep = 1 - options.decayRate;
    const shift = stepShiftMs(options.decayRate, this.decaySettings);
    return this.db.transaction().execute(async (trx) => {
      const scope = () => {
        let q = trx
          .updateTable('pheromone_trails')
          .where('team_name', '=', teamName)
          .where('expires_at', '>', now)
          .where('decayed_at', 'is', null);
        if (options.swarmId !== undefined) q = q.where('swarm_id', '=', options.swarmId);
        return q;
      };
      const retired = await scope()
        .where(sql<number>`${effective} * ${keep}`, '<', options.minIntensity)
        .set({ decayed_at: now, expires_at: now })
        .executeTakeFirst();
      const stepped = await scope()
        .set({
          intensity: sql<number>`intensity * ${keep}`,
          expires_at: sql<number>`case when expires_at - ${shift} < ${now} then ${now} else expires_at - ${shift} end`,
        })
        .executeTakeFirst();
      // The decayed sums of the scope, rebuilt from its active trails as they are now (a lead's manual
      // call, rare): retired trails leave them, and resources with no active trail go.
      let stale = trx.deleteFrom('pheromone_heat').where('team_name', '=', teamName);
      if (options.swarmId !== undefined) stale = stale.where('swarm_id', '=', options.swarmId);
      await stale.execute();
      let live = trx
        .selectFrom('pheromone_trails')
        .where('team_name', '=', teamName)
        .where('expires_at', '>', now)
        .where('decayed_at', 'is', null);
      if (options.swarmId !== undefined) live = live.where('swarm_id', '=', options.swarmId);
      const heatColumns = ['team_name', 'swarm_id', 'resource_id', 'resource_type', 'trail_type'] as const;
      await trx
        .insertInto('pheromone_heat')
        .columns([...heatColumns, 'mass', 'anchor_at', 'last_at'])
        .expression(
          live
            .select([
              ...heatColumns,
              sql<number>`sum(${effective})`.as('mass'),
              sql<number>`cast(${now} as bigint)`.as('anchor_at'),
              sql<number>`max(created_at)`.as('last_at'),
            ])
            .groupBy([...heatColumns]),
        )
        .execute();
      const removed = Number(retired.numUpdatedRows);
      return { success: true as const, decayed: removed + Number(stepped.numUpdatedRows), removed };
    });
  }

  async stats(teamName: string, swarmId: string) {
    const now = this.now();
    const effective = this.effective(now);
    const base = this.db
      .selectFrom('pheromone_trails')
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId);
    const active = base.where('expires_at', '>', now).where('decayed_at', 'is', null);
    const totals = await active
      .select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(${effective}), 0)`.as('total')])
      .executeTakeFirstOrThrow();
    const all = await base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    const types = await active
      .select(['trail_type', sql<number>`count(*)`.as('n')])
      .groupBy('trail_type')
      .execute();
    const kinds = await active
      .select(['resource_type', sql<number>`count(*)`.as('n')])
      .groupBy('resource_type')
      .execute();
    const byType = Object.fromEntries(TRAIL_TYPES.map((t) => [t, 0])) as Record<TrailType, number>;
    for (const row of types) byType[row.trail_type] = num(row.n);
    const byResource = Object.fromEntries(RESOURCE_TYPES.map((t) => [t, 0])) as Record<ResourceType, number>;
    for (const row of kinds) byResource[row.resource_type] = num(row.n);
    return {
      activeTrails: num(totals.n),
      decayedTrails: num(all.n) - num(totals.n),
      totalIntensity: round(num(totals.total)),
      byType,
      byResource,
    };
  }

  /**
   * Who else left a `modify` trail on a resource that is still at least `minIntensity` now: the
   * newest per depositor, strongest first (the hot-edit warning).
   */
  async modifiers(
    teamName: string,
    swarmId: string,
    resourceId: string,
    options: { exclude: string; minIntensity: number },
  ): Promise<{ handle: string; at: number; intensity: number }[]> {
    const { trails } = await this.query(teamName, swarmId, {
      resourceId,
      trailType: 'modify',
      minIntensity: options.minIntensity,
      limit: 50,
    });
    const newest = new Map<string, { handle: string; at: number; intensity: number }>();
    for (const trail of trails) {
      if (trail.depositorHandle === options.exclude) continue;
      const seen = newest.get(trail.depositorHandle);
      if (!seen || seen.at < trail.createdAt)
        newest.set(trail.depositorHandle, {
          handle: trail.depositorHandle,
          at: trail.createdAt,
          intensity: trail.intensity,
        });
    }
    return [...newest.values()].sort((a, b) => b.intensity - a.intensity);
  }

  /** The weighted heat of each named resource in a trail space (0 for cold ones): task ranking. */
  async heat(
    teamName: string,
    swarmId: string,
    resourceIds: readonly string[],
    options: { exclude?: string } = {},
  ): Promise<Map<string, number>> {
    const heat = new Map<string, number>();
    if (resourceIds.length === 0) return heat;
    const now = this.now();
    const effective = this.effective(now);
    const unique = [...new Set(resourceIds)].slice(0, 500);
    let q = this.db
      .selectFrom('pheromone_trails')
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('resource_id', 'in', unique);
    if (options.exclude !== undefined) q = q.where('depositor_handle', '<>', options.exclude);
    const rows = await q
      .where('expires_at', '>', now)
      .where('decayed_at', 'is', null)
      .select([
        'resource_id',
        sql<number>`sum(${effective} * case trail_type when 'modify' then ${sql.lit(TRAIL_WEIGHTS.modify)}
          when 'error' then ${sql.lit(TRAIL_WEIGHTS.error)} else 1 end)`.as('score'),
      ])
      .groupBy('resource_id')
      .execute();
    for (const row of rows) heat.set(row.resource_id, num(row.score));
    return heat;
  }

  async countAll(teamName: string): Promise<number> {
    const row = await this.db
      .selectFrom('pheromone_trails')
      .where('team_name', '=', teamName)
      .where('expires_at', '>', this.now())
      .where('decayed_at', 'is', null)
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    return num(row.n);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log.warn(message, fields);
  }
}
