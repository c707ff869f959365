import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { BeliefsTable, MetaBeliefsTable, SwarmCoreTables } from '../tables.js';

export const BELIEF_TYPES = ['knowledge', 'assumption', 'inference', 'observation'] as const;
export const SOURCE_TYPES = ['direct', 'inferred', 'communicated', 'observed'] as const;
export const META_TYPES = ['capability', 'reliability', 'knowledge', 'intention', 'workload'] as const;
export type BeliefType = (typeof BELIEF_TYPES)[number];

const iso = (ms: number) => new Date(Number(ms)).toISOString();

function beliefView(row: Selectable<BeliefsTable>) {
  return {
    id: Number(row.id),
    swarmId: row.swarm_id,
    agentHandle: row.agent_handle,
    beliefType: row.belief_type,
    subject: row.subject,
    beliefValue: row.belief_value,
    confidence: Number(row.confidence),
    sourceHandle: row.source_handle,
    sourceType: row.source_type,
    validUntil: row.valid_until === null ? null : iso(row.valid_until),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function metaView(row: Selectable<MetaBeliefsTable>) {
  return {
    id: Number(row.id),
    swarmId: row.swarm_id,
    agentHandle: row.agent_handle,
    aboutHandle: row.about_handle,
    metaType: row.meta_type,
    beliefValue: row.belief_value,
    confidence: Number(row.confidence),
    evidenceCount: Number(row.evidence_count),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export type Belief = ReturnType<typeof beliefView>;
export type MetaBelief = ReturnType<typeof metaView>;

export interface BeliefInput {
  agentHandle: string;
  beliefType: BeliefType;
  subject: string;
  beliefValue: string;
  confidence?: number;
  sourceHandle?: string;
  sourceType?: (typeof SOURCE_TYPES)[number];
  /** ms since the epoch; after it the belief is left out of reads and consensus. */
  validUntilMs?: number;
}

/**
 * Consensus on a subject: each holder's vote weighs confidence × reputation (the holder's
 * reputation in the swarm's credits, 0.5 without an account); per distinct value the weights are
 * summed; the value of the largest sum wins (a tie: the value whose heaviest holder weighs more,
 * then the one held first); agreementLevel = winner's sum / all sums.
 */
export function consensusOf(
  holders: { agentHandle: string; beliefValue: string; confidence: number; reputation: number; updatedAt: string }[],
) {
  const sums = new Map<string, { weight: number; top: number; first: string }>();
  for (const h of holders) {
    const weight = h.confidence * h.reputation;
    const entry = sums.get(h.beliefValue) ?? { weight: 0, top: 0, first: h.updatedAt };
    entry.weight += weight;
    entry.top = Math.max(entry.top, weight);
    if (h.updatedAt < entry.first) entry.first = h.updatedAt;
    sums.set(h.beliefValue, entry);
  }
  const ranked = [...sums.entries()].sort(
    ([, a], [, b]) => b.weight - a.weight || b.top - a.top || a.first.localeCompare(b.first),
  );
  const total = [...sums.values()].reduce((sum, e) => sum + e.weight, 0);
  const winner = ranked[0];
  return {
    consensusValue: winner ? winner[0] : null,
    agreementLevel: winner && total > 0 ? winner[1].weight / total : 0,
    totalWeight: total,
  };
}

export class BeliefsService {
  constructor(
    private readonly db: Kysely<SwarmCoreTables>,
    /** A holder's reputation in the swarm (the credits part; 0.5 without an account). */
    private readonly reputationOf: (teamName: string, swarmId: string, handle: string) => Promise<number>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Consensus on a subject (see consensusOf): `beliefs` lists each holder with its weight. */
  async consensus(teamName: string, swarmId: string, subject: string, minConfidence: number) {
    const beliefs = await this.onSubject(teamName, swarmId, subject, minConfidence);
    const holders = await Promise.all(
      beliefs.map(async (b) => ({ ...b, reputation: await this.reputationOf(teamName, swarmId, b.agentHandle) })),
    );
    const result = consensusOf(holders);
    return {
      subject,
      consensusValue: result.consensusValue,
      agreementLevel: result.agreementLevel,
      beliefs: holders.map((h) => ({
        agentHandle: h.agentHandle,
        beliefValue: h.beliefValue,
        confidence: h.confidence,
        reputation: h.reputation,
        weight: h.confidence * h.reputation,
      })),
    };
  }

  /** Set (or replace) an agent's belief on a subject in a swarm. */
  async set(teamName: string, swarmId: string, input: BeliefInput): Promise<Belief> {
    const now = this.now();
    const values = {
      belief_type: input.beliefType,
      belief_value: input.beliefValue,
      confidence: input.confidence ?? 0.5,
      source_handle: input.sourceHandle ?? null,
      source_type: input.sourceType ?? 'direct',
      valid_until: input.validUntilMs ?? null,
      updated_at: now,
    };
    const row = await this.db
      .insertInto('beliefs')
      .values({
        team_name: teamName,
        swarm_id: swarmId,
        agent_handle: input.agentHandle,
        subject: input.subject,
        created_at: now,
        ...values,
      })
      .onConflict((oc) => oc.columns(['team_name', 'swarm_id', 'agent_handle', 'subject']).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return beliefView(row);
  }

  async setMeta(
    teamName: string,
    swarmId: string,
    input: { agentHandle: string; aboutHandle: string; metaType: string; beliefValue: string; confidence?: number },
  ): Promise<MetaBelief> {
    const now = this.now();
    const confidence = input.confidence ?? 0.5;
    const row = await this.db
      .insertInto('meta_beliefs')
      .values({
        team_name: teamName,
        swarm_id: swarmId,
        agent_handle: input.agentHandle,
        about_handle: input.aboutHandle,
        meta_type: input.metaType,
        belief_value: input.beliefValue,
        confidence,
        evidence_count: 1,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['team_name', 'swarm_id', 'agent_handle', 'about_handle', 'meta_type']).doUpdateSet((eb) => ({
          belief_value: input.beliefValue,
          confidence,
          evidence_count: eb('meta_beliefs.evidence_count', '+', 1),
          updated_at: now,
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return metaView(row);
  }

  /** An agent's beliefs, most confident first; expired ones only with includeExpired. */
  async of(
    teamName: string,
    swarmId: string,
    handle: string,
    query: { beliefType?: string; subject?: string; minConfidence?: number; includeExpired?: boolean; limit: number },
  ): Promise<Belief[]> {
    let q = this.db
      .selectFrom('beliefs')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('agent_handle', '=', handle);
    if (query.beliefType) q = q.where('belief_type', '=', query.beliefType);
    if (query.subject) q = q.where('subject', '=', query.subject);
    if (query.minConfidence !== undefined) q = q.where('confidence', '>=', query.minConfidence);
    if (!query.includeExpired) q = q.where(this.#active());
    const rows = await q
      .orderBy('confidence', 'desc')
      .orderBy('updated_at', 'desc')
      .orderBy('id')
      .limit(query.limit)
      .execute();
    return rows.map(beliefView);
  }

  /** Valid now: no validUntil, or one still ahead. */
  #active() {
    const now = this.now();
    return (eb: ExpressionBuilder<SwarmCoreTables, 'beliefs'>) =>
      eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', now)]);
  }

  /** Active beliefs on a subject with at least minConfidence. */
  async onSubject(teamName: string, swarmId: string, subject: string, minConfidence: number): Promise<Belief[]> {
    const q = this.db
      .selectFrom('beliefs')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('subject', '=', subject)
      .where('confidence', '>=', minConfidence);
    const rows = await q.where(this.#active()).orderBy('confidence', 'desc').orderBy('id').execute();
    return rows.map(beliefView);
  }

  async metaAbout(teamName: string, swarmId: string, about: string): Promise<MetaBelief[]> {
    const rows = await this.db
      .selectFrom('meta_beliefs')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('about_handle', '=', about)
      .orderBy('updated_at', 'desc')
      .execute();
    return rows.map(metaView);
  }

  /** Counts over a swarm's valid beliefs, by the database (no table load). */
  async stats(teamName: string, swarmId: string) {
    const base = this.db
      .selectFrom('beliefs')
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where(this.#active());
    const totals = await base
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.count<number>('agent_handle').distinct().as('agents'),
        eb.fn.count<number>('subject').distinct().as('subjects'),
        eb.fn.avg<number>('confidence').as('confidence'),
      ])
      .executeTakeFirstOrThrow();
    const types = await base
      .select((eb) => ['belief_type', eb.fn.countAll<number>().as('n')])
      .groupBy('belief_type')
      .execute();
    const meta = await this.db
      .selectFrom('meta_beliefs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .executeTakeFirstOrThrow();
    const byType = Object.fromEntries(BELIEF_TYPES.map((type) => [type, 0])) as Record<string, number>;
    for (const row of types) byType[row.belief_type] = Number(row.n);
    const total = Number(totals.n);
    return {
      totalBeliefs: total,
      totalMetaBeliefs: Number(meta.n),
      uniqueAgents: Number(totals.agents),
      uniqueSubjects: Number(totals.subjects),
      byType,
      avgConfidence: total === 0 ? 0.5 : Number(totals.confidence),
    };
  }
}
