import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Identity, Logger, PluginContext } from '../../../core/index.js';
import type { AuthApi } from '../../auth/index.js';
import type { SwarmApi } from '../../swarm/index.js';
import type { TasksApi } from '../../tasks/index.js';
import type { Clock } from '../../../core/index.js';
import type { ProposalTables, ProposalsTable } from '../tables.js';
import { type ProposalAction, runAction } from './actions.js';
import { proposalErrors as errors } from './errors.js';
import {
  ballotOf,
  type CountedVote,
  decided,
  type QuorumType,
  tally,
  type TallyRules,
  type VotingMethod,
} from './tally.js';
import { type ProposalView, proposalView, type StoredResult, type VoteView, voteView } from './views.js';

type Db = Kysely<ProposalTables>;

export interface ProposalInput {
  swarmId: string;
  proposalType: string;
  title: string;
  description?: string;
  options: string[];
  votingMethod: VotingMethod;
  quorumType: QuorumType;
  quorumValue: number;
  threshold: number | null;
  weightByReputation: boolean;
  deadline: number | null;
  action?: ProposalAction;
}

export interface ProposalQuery {
  statuses?: readonly string[];
  proposalType?: string;
  proposerHandle?: string;
  limit: number;
}

/** How a close came about: a lead's request, the deadline, or the threshold reached for good. */
export type CloseReason = { lead: string } | 'deadline' | 'threshold';

/** A closed proposal's answer: the seed's ConsensusResult fields, and what became of the proposal. */
export type CloseAnswer = StoredResult & { proposalId: string; status: string; actionOutcome: unknown };

/** Thrown inside a close's transaction to roll it back (closed already, or not decided for good). */
class NotYet extends Error {}

function rulesOf(row: ProposalsTable): TallyRules {
  return {
    options: JSON.parse(row.options) as string[],
    votingMethod: row.voting_method as VotingMethod,
    quorumType: row.quorum_type as QuorumType,
    quorumValue: Number(row.quorum_value),
    threshold: row.threshold === null ? null : Number(row.threshold),
  };
}

const weighs = (row: ProposalsTable) => Number(row.weight_by_reputation) === 1 || row.voting_method === 'weighted';

/**
 * Proposals and votes of a team's swarms. A vote and a close take the proposal's row in turn (each
 * starts with a conditional UPDATE of it), so a close counts every vote committed before it, a vote
 * after it is refused, and of two closes one writes the result.
 */
export class ProposalService {
  readonly #timers = new Map<string, { cancel(): void }>();

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      emit: PluginContext['events']['emit'];
      log: Logger;
      swarm(): SwarmApi;
      tasks(): TasksApi | undefined;
      workflows(): unknown;
      auth(): AuthApi;
    },
  ) {}

  /** What an action needs (create checks it, a pass runs it). */
  get actionDeps() {
    return this.deps;
  }

  async #row(teamName: string, id: string, db: Db = this.deps.db): Promise<ProposalsTable | undefined> {
    return db
      .selectFrom('proposals')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async #require(teamName: string, id: string): Promise<ProposalsTable> {
    const row = await this.#row(teamName, id);
    if (!row) throw errors.GOVERNANCE_PROPOSAL_NOT_FOUND({}, { field: 'id' });
    return row;
  }

  async create(caller: Identity, input: ProposalInput): Promise<ProposalView> {
    const id = randomUUID();
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('proposals')
      .values({
        id,
        team_name: caller.teamName,
        swarm_id: input.swarmId,
        proposer_handle: caller.handle,
        proposal_type: input.proposalType,
        title: input.title,
        description: input.description ?? null,
        options: JSON.stringify(input.options),
        voting_method: input.votingMethod,
        quorum_type: input.quorumType,
        quorum_value: input.quorumValue,
        threshold: input.threshold,
        weight_by_reputation: input.weightByReputation ? 1 : 0,
        status: 'open',
        deadline: input.deadline,
        result: null,
        participation: null,
        action: input.action ? JSON.stringify(input.action) : null,
        action_outcome: null,
        created_at: now,
        last_vote_at: null,
        closed_at: null,
        closed_by: null,
      })
      .execute();
    const proposal = proposalView((await this.#row(caller.teamName, id))!);
    if (input.deadline !== null) this.arm(caller.teamName, id, input.deadline);
    this.deps.emit('consensus:proposal', caller.teamName, {
      swarmId: proposal.swarmId,
      proposal: { id, title: proposal.title, deadline: proposal.deadline, proposerHandle: caller.handle },
    });
    return proposal;
  }

  /** The proposal with its votes (oldest first, then by voter); 404 for an unknown id or another team's. */
  async get(teamName: string, id: string): Promise<ProposalView & { votes: VoteView[] }> {
    const row = await this.#require(teamName, id);
    const votes = await this.deps.db
      .selectFrom('proposal_votes')
      .selectAll()
      .where('proposal_id', '=', id)
      .orderBy('created_at')
      .orderBy('voter_handle')
      .execute();
    return { ...proposalView(row), votes: votes.map(voteView) };
  }

  /** A swarm's proposals, newest first. */
  async list(teamName: string, swarmId: string, query: ProposalQuery): Promise<ProposalView[]> {
    let q = this.deps.db
      .selectFrom('proposals')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId);
    if (query.statuses) q = q.where('status', 'in', query.statuses);
    if (query.proposalType) q = q.where('proposal_type', '=', query.proposalType);
    if (query.proposerHandle) q = q.where('proposer_handle', '=', query.proposerHandle);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(proposalView);
  }

  /** 409 unless open; a proposal past its deadline is closed now (the timer may not have fired yet). */
  async #requireOpen(row: ProposalsTable): Promise<void> {
    if (row.status === 'open' && row.deadline !== null && Number(row.deadline) <= this.deps.clock.now()) {
      await this.close(row.team_name, row.id, 'deadline');
      row = (await this.#row(row.team_name, row.id)) ?? row;
    }
    if (row.status !== 'open') throw errors.GOVERNANCE_PROPOSAL_CLOSED({ id: row.id, status: row.status });
  }

  /** The weight a member's vote carries on this proposal: its reputation in the swarm, or 1. */
  async #weight(row: ProposalsTable, handle: string): Promise<number> {
    if (!weighs(row)) return 1;
    return this.deps.swarm().credits.reputation(row.team_name, row.swarm_id, handle);
  }

  /**
   * One vote per member, changeable until the close: 403 for a non-member, 400 for a value that is not an
   * option (a ranked ballot: a JSON array of distinct options), 409 once closed. Then, if the threshold is
   * now reached for good, the proposal closes.
   */
  async vote(
    caller: Identity,
    id: string,
    input: { voteValue: string; rationale?: string },
  ): Promise<VoteView & { changed: boolean; proposalStatus: string }> {
    const row = await this.#require(caller.teamName, id);
    await this.#requireOpen(row);
    const member = await this.deps.swarm().swarms.swarmOf(caller.teamName, caller.handle);
    if (member !== row.swarm_id) throw errors.GOVERNANCE_NOT_MEMBER({ handle: caller.handle, swarmId: row.swarm_id });
    const rules = rulesOf(row);
    if (rules.votingMethod === 'ranked') {
      if (!ballotOf(input.voteValue, rules.options))
        throw errors.GOVERNANCE_VOTE_INVALID(
          { message: 'a ranked vote is a JSON array of distinct options, best first' },
          { field: 'voteValue', options: rules.options },
        );
    } else if (!rules.options.includes(input.voteValue))
      throw errors.GOVERNANCE_VOTE_INVALID(
        { message: 'must be one of the proposal’s options' },
        { field: 'voteValue', options: rules.options },
      );
    const weight = await this.#weight(row, caller.handle);
    const now = this.deps.clock.now();
    const saved = await this.deps.db.transaction().execute(async (trx) => {
      const taken = await trx
        .updateTable('proposals')
        .set({ last_vote_at: now })
        .where('team_name', '=', caller.teamName)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) return undefined;
      const existing = await trx
        .selectFrom('proposal_votes')
        .selectAll()
        .where('proposal_id', '=', id)
        .where('voter_handle', '=', caller.handle)
        .executeTakeFirst();
      const values = { vote_value: input.voteValue, vote_weight: weight, rationale: input.rationale ?? null };
      if (existing) {
        await trx
          .updateTable('proposal_votes')
          .set({ ...values, updated_at: now })
          .where('id', '=', existing.id)
          .execute();
        return { vote: { ...existing, ...values, updated_at: now }, changed: true };
      }
      const vote = {
        id: randomUUID(),
        team_name: caller.teamName,
        proposal_id: id,
        voter_handle: caller.handle,
        ...values,
        created_at: now,
        updated_at: now,
      };
      await trx.insertInto('proposal_votes').values(vote).execute();
      return { vote, changed: false };
    });
    if (!saved) {
      const after = await this.#require(caller.teamName, id);
      throw errors.GOVERNANCE_PROPOSAL_CLOSED({ id, status: after.status });
    }
    this.deps.emit('consensus:vote', caller.teamName, {
      swarmId: row.swarm_id,
      proposalId: id,
      voter: caller.handle,
      changed: saved.changed,
    });
    const early = await this.close(caller.teamName, id, 'threshold').catch((error: unknown) => {
      this.deps.log.error('could not check a proposal’s threshold after a vote', { proposalId: id, error });
      return undefined;
    });
    return { ...voteView(saved.vote), changed: saved.changed, proposalStatus: early?.status ?? 'open' };
  }

  /**
   * Close once: by a lead, at the deadline, or (reason `threshold`) only if the votes so far decide it
   * for good. Returns the stored result, or undefined when it was closed already (or is not decided).
   */
  async close(teamName: string, id: string, reason: CloseReason): Promise<CloseAnswer | undefined> {
    const before = await this.#row(teamName, id);
    if (!before || before.status !== 'open') return undefined;
    const rules = rulesOf(before);
    // Read outside the transaction (other plugins' queries): the members now, and what each could weigh.
    const members = (await this.deps.swarm().swarms.members(teamName, before.swarm_id)).map((m) => m.handle);
    const potential = new Map<string, number>();
    if (reason === 'threshold') for (const handle of members) potential.set(handle, await this.#weight(before, handle));
    const now = this.deps.clock.now();
    const closedBy = typeof reason === 'object' ? reason.lead : reason;
    let stored: StoredResult;
    let status: string;
    try {
      ({ stored, status } = await this.deps.db.transaction().execute(async (trx) => {
        const taken = await trx
          .updateTable('proposals')
          .set({ closed_at: now })
          .where('team_name', '=', teamName)
          .where('id', '=', id)
          .where('status', '=', 'open')
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) !== 1) throw new NotYet();
        const rows = await trx
          .selectFrom('proposal_votes')
          .select(['voter_handle', 'vote_value', 'vote_weight'])
          .where('proposal_id', '=', id)
          .execute();
        const votes: CountedVote[] = rows.map((r) => ({ voteValue: r.vote_value, voteWeight: Number(r.vote_weight) }));
        const voters = new Set(rows.map((r) => r.voter_handle));
        const eligible = new Set([...members, ...voters]).size;
        if (reason === 'threshold') {
          const remaining = members.filter((m) => !voters.has(m)).map((m) => potential.get(m) ?? 1);
          if (!decided(rules, votes, eligible, remaining)) throw new NotYet();
        }
        const result: StoredResult = {
          ...tally(rules, votes, eligible),
          closedBy,
          closedAt: new Date(now).toISOString(),
        };
        const status = result.passed ? 'passed' : 'failed';
        await trx
          .updateTable('proposals')
          .set({ status, result: JSON.stringify(result), participation: result.participationRate, closed_by: closedBy })
          .where('id', '=', id)
          .execute();
        return { stored: result, status };
      }));
    } catch (error) {
      if (error instanceof NotYet) return undefined;
      throw error;
    }
    this.disarm(id);
    this.deps.emit('consensus:result', teamName, {
      swarmId: before.swarm_id,
      proposalId: id,
      status,
      winner: stored.winner,
      quorumMet: stored.quorumMet,
      closedBy,
    });
    let actionOutcome: unknown = null;
    if (stored.passed && stored.winner !== null && before.action !== null) {
      const outcome = await runAction(
        this.deps,
        {
          id,
          teamName,
          swarmId: before.swarm_id,
          proposerHandle: before.proposer_handle,
          winner: stored.winner,
        },
        JSON.parse(before.action) as ProposalAction,
        new Date(this.deps.clock.now()).toISOString(),
      );
      await this.deps.db
        .updateTable('proposals')
        .set({ action_outcome: JSON.stringify(outcome) })
        .where('id', '=', id)
        .where('action_outcome', 'is', null)
        .execute();
      actionOutcome = outcome;
    }
    return { ...stored, proposalId: id, status, actionOutcome };
  }

  /** The proposer or a lead withdraws an open proposal: it takes no more votes and never acts. */
  async cancel(caller: Identity, id: string, lead: boolean): Promise<ProposalView> {
    const row = await this.#require(caller.teamName, id);
    if (!lead && row.proposer_handle !== caller.handle) throw errors.GOVERNANCE_CANCEL_DENIED();
    const now = this.deps.clock.now();
    const result = await this.deps.db
      .updateTable('proposals')
      .set({ status: 'cancelled', closed_at: now, closed_by: caller.handle })
      .where('team_name', '=', caller.teamName)
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      const after = await this.#require(caller.teamName, id);
      throw errors.GOVERNANCE_PROPOSAL_CLOSED({ id, status: after.status });
    }
    this.disarm(id);
    this.deps.emit('consensus:result', caller.teamName, {
      swarmId: row.swarm_id,
      proposalId: id,
      status: 'cancelled',
      winner: null,
      quorumMet: false,
      closedBy: caller.handle,
    });
    return proposalView((await this.#row(caller.teamName, id))!);
  }

  /** Counts by status and type, votes, and the average participation of closed proposals, from the database. */
  async stats(teamName: string, swarmId: string) {
    const db = this.deps.db;
    const byStatus = await db
      .selectFrom('proposals')
      .select(['status', db.fn.countAll<string>().as('n')])
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .groupBy('status')
      .execute();
    const byTypeRows = await db
      .selectFrom('proposals')
      .select(['proposal_type', db.fn.countAll<string>().as('n')])
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .groupBy('proposal_type')
      .execute();
    const votes = await db
      .selectFrom('proposal_votes as v')
      .innerJoin('proposals as p', 'p.id', 'v.proposal_id')
      .select(db.fn.countAll<string>().as('n'))
      .where('p.team_name', '=', teamName)
      .where('p.swarm_id', '=', swarmId)
      .executeTakeFirst();
    const participation = await db
      .selectFrom('proposals')
      .select(db.fn.avg<number | string | null>('participation').as('avg'))
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('participation', 'is not', null)
      .executeTakeFirst();
    const count = (status: string) => Number(byStatus.find((r) => r.status === status)?.n ?? 0);
    return {
      totalProposals: byStatus.reduce((sum, r) => sum + Number(r.n), 0),
      openProposals: count('open'),
      passedProposals: count('passed'),
      failedProposals: count('failed'),
      cancelledProposals: count('cancelled'),
      totalVotes: Number(votes?.n ?? 0),
      avgParticipation: participation?.avg == null ? 0 : Number(participation.avg),
      byType: Object.fromEntries(byTypeRows.map((r) => [r.proposal_type, Number(r.n)])),
    };
  }

  /** Open proposals (a team's, or fleet-wide): /health's count. */
  async countOpen(teamName: string | undefined): Promise<number> {
    const row = await this.deps.db
      .selectFrom('proposals')
      .select(this.deps.db.fn.countAll<string>().as('n'))
      .where('status', '=', 'open')
      .$if(teamName !== undefined, (q) => q.where('team_name', '=', teamName!))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Close the proposal by itself when the clock reaches its deadline (no request needed). */
  arm(teamName: string, id: string, deadline: number): void {
    this.disarm(id);
    const timer = this.deps.clock.at(deadline, () => {
      this.#timers.delete(id);
      this.close(teamName, id, 'deadline').catch((error: unknown) =>
        this.deps.log.error('could not close a proposal at its deadline', { proposalId: id, error }),
      );
    });
    this.#timers.set(id, timer);
  }

  disarm(id: string): void {
    this.#timers.get(id)?.cancel();
    this.#timers.delete(id);
  }

  disarmAll(): void {
    for (const timer of this.#timers.values()) timer.cancel();
    this.#timers.clear();
  }

  /** Every open proposal with a deadline (all teams): the timers to set at start. */
  async withDeadlines(): Promise<{ teamName: string; id: string; deadline: number }[]> {
    const rows = await this.deps.db
      .selectFrom('proposals')
      .select(['team_name', 'id', 'deadline'])
      .where('status', '=', 'open')
      .where('deadline', 'is not', null)
      .execute();
    return rows.map((r) => ({ teamName: r.team_name, id: r.id, deadline: Number(r.deadline) }));
  }
}
