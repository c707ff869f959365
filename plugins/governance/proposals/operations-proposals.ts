import * as v from 'valibot';
import { f, type Identity, invalidInput, isLead, operationsFor } from '../../../core/index.js';
import { swarmId } from '../fields.js';
import type { GovernanceApi } from '../index.js';
import { actionSchema, checkAction } from './actions.js';
import { proposalErrors as errors } from './errors.js';
import type { ProposalInput } from './proposal-service.js';
import { QUORUM_TYPES, type QuorumType, VOTING_METHODS } from './tally.js';
import { PROPOSAL_STATUSES, PROPOSAL_TYPES } from './views.js';

const op = operationsFor<GovernanceApi>();

/** A body field naming an agent must name the caller (the seed trusted it; we take identity from the token). */
function self(caller: Identity, handle: string | undefined, field: string): void {
  if (handle !== undefined && handle !== caller.handle)
    throw errors.GOVERNANCE_NOT_SELF({ field, handle: caller.handle }, { field });
}

/** The swarm a call names, or the caller's own; 400 naming swarmId when neither. */
async function swarmFor(api: GovernanceApi, caller: Identity, id: string | undefined): Promise<string> {
  const found = id ?? (await api.swarm().swarms.swarmOf(caller.teamName, caller.handle));
  if (found === undefined) throw invalidInput('swarmId', 'is required (you belong to no swarm)');
  await api.swarm().swarms.require(caller.teamName, found, 'swarmId');
  return found;
}

const proposalId = f.uuid('proposal');
const statusFilter = [...PROPOSAL_STATUSES, 'closed', 'active', 'all'] as const;

const createEntries = {
  proposerHandle: v.optional(f.handle),
  proposalType: v.optional(f.oneOf(PROPOSAL_TYPES)),
  title: f.text({ min: 1, max: 200 }),
  description: v.optional(f.text({ max: 5000 })),
  options: v.pipe(
    f.list(f.text({ min: 1, max: 200 }), { max: 20, of: 'options', unit: 'options' }),
    v.minLength(2, 'must list at least 2 options'),
    v.check((list) => new Set(list).size === list.length, 'must not list an option twice'),
  ),
  votingMethod: v.optional(f.oneOf(VOTING_METHODS)),
  quorumType: v.optional(f.oneOf(QUORUM_TYPES)),
  quorumValue: v.optional(f.decimal(0, 10_000)),
  threshold: v.optional(f.decimal(0, 1, { exclusiveMin: true })),
  weightByReputation: v.optional(f.flag),
  deadlineMs: v.optional(f.int(1)),
  deadline: v.optional(f.instant),
  action: v.optional(actionSchema),
};

type CreateBody = v.InferOutput<v.ObjectSchema<typeof createEntries, undefined>>;

/** The quorum's value by its type: a share 0–1 (default 0.5), a number of voters ≥ 1 (default 1), or none. */
function quorumOf(type: QuorumType, value: number | undefined): number {
  if (type === 'none') return 0;
  if (type === 'absolute') {
    if (value === undefined) return 1;
    if (!Number.isInteger(value) || value < 1)
      throw invalidInput('quorumValue', 'must be a whole number of voters (at least 1) with quorumType absolute');
    return value;
  }
  if (value === undefined) return 0.5;
  if (value > 1) throw invalidInput('quorumValue', 'must be a share between 0 and 1 with quorumType percentage');
  return value;
}

function deadlineOf(api: GovernanceApi, body: CreateBody): number | null {
  if (body.deadline !== undefined && body.deadlineMs !== undefined)
    throw invalidInput('deadline', 'give deadline (an instant) or deadlineMs (from now), not both');
  const now = api.clock.now();
  const max = api.options.maxDeadlineMs;
  if (body.deadlineMs !== undefined) {
    if (body.deadlineMs > max) throw invalidInput('deadlineMs', `must be at most ${max}`);
    return now + body.deadlineMs;
  }
  if (body.deadline === undefined) return null;
  if (body.deadline <= now) throw invalidInput('deadline', 'must be in the future');
  if (body.deadline > now + max) throw invalidInput('deadline', `must be at most ${max} ms from now`);
  return body.deadline;
}

async function create(api: GovernanceApi, caller: Identity, id: string, body: CreateBody) {
  self(caller, body.proposerHandle, 'proposerHandle');
  await api.swarm().swarms.require(caller.teamName, id, 'swarmId');
  if (!isLead(caller) && (await api.swarm().swarms.swarmOf(caller.teamName, caller.handle)) !== id)
    throw errors.GOVERNANCE_NOT_PROPOSER({ swarmId: id });
  const quorumType = body.quorumType ?? 'percentage';
  const input: ProposalInput = {
    swarmId: id,
    proposalType: body.proposalType ?? 'decision',
    title: body.title,
    description: body.description,
    options: body.options,
    votingMethod: body.votingMethod ?? 'majority',
    quorumType,
    quorumValue: quorumOf(quorumType, body.quorumValue),
    threshold: body.threshold ?? null,
    weightByReputation: body.weightByReputation ?? false,
    deadline: deadlineOf(api, body),
    action: body.action,
  };
  if (input.action) await checkAction(api.proposals.actionDeps, caller, input.action, input.options);
  return api.proposals.create(caller, input);
}

export const createProposal = op({
  name: 'createProposal',
  summary:
    'Open a proposal in a swarm (a lead, or a member of it): options, voting method, quorum, threshold, a deadline ' +
    '(deadlineMs from now, or deadline: an instant) and an action run when it passes',
  access: 'agent',
  input: v.object({ swarmId, ...createEntries }),
  http: { method: 'POST', path: '/consensus/proposals', status: 201 },
  run: ({ input, caller, api }) => create(api, caller, input.swarmId, input),
});

export const proposalCreate = op({
  name: 'proposalCreate',
  summary: 'Open a proposal in your swarm (swarm_id: another of yours, for a lead); you are the proposer',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), ...createEntries }),
  tools: [
    {
      name: 'proposal_create',
      omit: ['proposerHandle'],
      rename: {
        swarm_id: 'swarmId',
        proposal_type: 'proposalType',
        voting_method: 'votingMethod',
        quorum_type: 'quorumType',
        quorum_value: 'quorumValue',
        weight_by_reputation: 'weightByReputation',
        deadline_ms: 'deadlineMs',
      },
    },
  ],
  run: async ({ input, caller, api }) => create(api, caller, await swarmFor(api, caller, input.swarmId), input),
});

const listEntries = {
  status: v.optional(f.oneOf(statusFilter)),
  proposalType: v.optional(f.oneOf(PROPOSAL_TYPES)),
  proposerHandle: v.optional(f.handle),
  limit: v.optional(f.int(1, 100)),
};

/** closed: not open any more (passed, failed or cancelled); active: open; all: no filter. */
function statusesOf(status: (typeof statusFilter)[number] | undefined): readonly string[] | undefined {
  if (status === undefined || status === 'all') return undefined;
  if (status === 'active') return ['open'];
  if (status === 'closed') return ['passed', 'failed', 'cancelled'];
  return [status];
}

async function list(api: GovernanceApi, caller: Identity, id: string, input: v.InferOutput<typeof listSchema>) {
  await api.swarm().swarms.require(caller.teamName, id, 'swarmId');
  const proposals = await api.proposals.list(caller.teamName, id, {
    statuses: statusesOf(input.status),
    proposalType: input.proposalType,
    proposerHandle: input.proposerHandle,
    limit: input.limit ?? 50,
  });
  return { proposals, count: proposals.length };
}

const listSchema = v.object({ swarmId: v.optional(swarmId), ...listEntries });

export const listProposals = op({
  name: 'listProposals',
  summary:
    'A swarm’s proposals, newest first; status: open, passed, failed, cancelled, closed (any of the three), ' +
    'active (open) or all',
  access: 'agent',
  input: v.object({ swarmId, ...listEntries }),
  http: { method: 'GET', path: '/consensus/:swarmId/proposals' },
  run: ({ input, caller, api }) => list(api, caller, input.swarmId, input),
});

export const proposalList = op({
  name: 'proposalList',
  summary: 'Your swarm’s (swarm_id’s) proposals, newest first; status: active, closed, all, passed, failed, ...',
  access: 'agent',
  input: listSchema,
  tools: [{ name: 'proposal_list', rename: { swarm_id: 'swarmId', proposal_type: 'proposalType' } }],
  run: async ({ input, caller, api }) => list(api, caller, await swarmFor(api, caller, input.swarmId), input),
});

export const getProposal = op({
  name: 'getProposal',
  summary: 'A proposal with its votes (weights included), its result and its action’s outcome once closed',
  access: 'agent',
  input: v.object({ id: proposalId }),
  http: { method: 'GET', path: '/consensus/proposals/:id' },
  tools: [{ name: 'proposal_get', rename: { proposal_id: 'id' } }],
  run: ({ input, caller, api }) => api.proposals.get(caller.teamName, input.id),
});

export const voteProposal = op({
  name: 'voteProposal',
  summary:
    'Vote as yourself, a member of the proposal’s swarm: an option (ranked: a JSON array of options, best ' +
    'first); voting again changes your vote until the close; the weight is your reputation when the proposal ' +
    'weighs votes',
  access: 'agent',
  input: v.object({
    id: proposalId,
    voterHandle: v.optional(f.handle),
    voteValue: f.text({ min: 1, max: 5000 }),
    rationale: v.optional(f.text({ max: 1000 })),
  }),
  http: { method: 'POST', path: '/consensus/proposals/:id/vote', status: 201 },
  tools: [{ name: 'proposal_vote', omit: ['voterHandle'], rename: { proposal_id: 'id', vote_value: 'voteValue' } }],
  async run({ input, caller, api }) {
    self(caller, input.voterHandle, 'voterHandle');
    return api.proposals.vote(caller, input.id, { voteValue: input.voteValue, rationale: input.rationale });
  },
});

export const closeProposal = op({
  name: 'closeProposal',
  summary:
    'Close a proposal now (a lead) and store its result once: winner, tally, quorum, participation; ' +
    'a passed proposal’s action runs; 409 when already closed',
  access: 'lead',
  input: v.object({ id: proposalId }),
  http: { method: 'POST', path: '/consensus/proposals/:id/close' },
  tools: [{ name: 'proposal_close', rename: { proposal_id: 'id' } }],
  async run({ input, caller, api }) {
    const closed = await api.proposals.close(caller.teamName, input.id, { lead: caller.handle });
    if (closed) return closed;
    const found = await api.proposals.get(caller.teamName, input.id);
    throw errors.GOVERNANCE_PROPOSAL_CLOSED({ id: input.id, status: found.status }, { result: found.result });
  },
});

export const cancelProposal = op({
  name: 'cancelProposal',
  summary: 'Cancel an open proposal (its proposer or a lead): no result, no action',
  access: 'agent',
  input: v.object({ id: proposalId }),
  http: { method: 'POST', path: '/consensus/proposals/:id/cancel' },
  tools: [{ name: 'proposal_cancel', rename: { proposal_id: 'id' } }],
  run: ({ input, caller, api }) => api.proposals.cancel(caller, input.id, isLead(caller)),
});

async function stats(api: GovernanceApi, caller: Identity, id: string) {
  await api.swarm().swarms.require(caller.teamName, id, 'swarmId');
  return api.proposals.stats(caller.teamName, id);
}

export const proposalStats = op({
  name: 'proposalStats',
  summary: 'A swarm’s proposals by status and type, its votes, and the average participation of closed ones',
  access: 'agent',
  input: v.object({ swarmId }),
  http: { method: 'GET', path: '/consensus/:swarmId/stats' },
  run: ({ input, caller, api }) => stats(api, caller, input.swarmId),
});

export const proposalStatsTool = op({
  name: 'proposalStatsTool',
  summary: 'Your swarm’s (swarm_id’s) proposal statistics',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId) }),
  tools: [{ name: 'proposal_stats', rename: { swarm_id: 'swarmId' } }],
  run: async ({ input, caller, api }) => stats(api, caller, await swarmFor(api, caller, input.swarmId)),
});

export const proposalOperations = [
  createProposal,
  proposalCreate,
  listProposals,
  proposalList,
  getProposal,
  voteProposal,
  closeProposal,
  cancelProposal,
  proposalStats,
  proposalStatsTool,
];
