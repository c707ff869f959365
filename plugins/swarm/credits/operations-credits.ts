import * as v from 'valibot';
import { actAs, f, type Identity, operationsFor } from '../../../core/index.js';
import { swarmFor, verifySwarmAccess } from '../access.js';
import { swarmCoreErrors as errors } from '../errors.js';
import { limit, reason, swarmId } from '../fields.js';
import type { SwarmApi } from '../index.js';
import { LEADERBOARD_ORDERS } from './credits-service.js';
import { TRANSACTION_TYPES } from './credit-store.js';

const op = operationsFor<SwarmApi>();

/** An agent of the caller's team (404 naming the field otherwise). */
async function teamAgent(api: SwarmApi, caller: Identity, handle: string, field: string): Promise<string> {
  if (handle !== caller.handle && !(await api.auth().agents.findByHandle(caller.teamName, handle)))
    throw errors.SWARM_AGENT_NOT_FOUND({ field, handle }, { field });
  return handle;
}

async function account(api: SwarmApi, caller: Identity, id: string, handle: string) {
  await verifySwarmAccess(api.swarms, caller, id);
  const found = await api.credits.account(caller.teamName, id, handle);
  if (!found) throw errors.SWARM_ACCOUNT_NOT_FOUND({ handle, id });
  return found;
}

/** Credits are kept in cents: an amount that rounds to none would move nothing. */
const amount = v.pipe(
  f.decimal(0, 10_000, { exclusiveMin: true }),
  v.check((value) => Math.round(value * 100) >= 1, 'must be at least 0.01'),
);

const transferEntries = {
  fromHandle: v.optional(f.handle),
  toHandle: f.handle,
  amount,
  reason: v.optional(reason),
};

async function transfer(
  api: SwarmApi,
  caller: Identity,
  id: string,
  input: { fromHandle?: string; toHandle: string; amount: number; reason?: string },
) {
  const from = input.fromHandle ?? caller.handle;
  if (actAs(caller, { handle: from }, 'fromHandle')) await teamAgent(api, caller, from, 'fromHandle');
  await teamAgent(api, caller, input.toHandle, 'toHandle');
  if (from === input.toHandle) throw errors.SWARM_SELF_TRANSFER({}, { field: 'toHandle' });
  await verifySwarmAccess(api.swarms, caller, id);
  return api.credits.transfer(caller.teamName, id, from, input.toHandle, input.amount, input.reason);
}

export const transferCredits = op({
  name: 'transferCredits',
  summary:
    'Transfer credits to an agent of your team in a swarm, atomically: 409 with balance and requested when ' +
    'your balance is short (never below zero)',
  access: 'agent',
  input: v.object({ swarmId, ...transferEntries }),
  http: { method: 'POST', path: '/credits/transfer' },
  run: ({ input, caller, api }) => transfer(api, caller, input.swarmId, input),
});

export const creditsTransfer = op({
  name: 'creditsTransfer',
  summary: 'Transfer credits from you to an agent of your swarm (swarm_id: another swarm of yours)',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), ...transferEntries }),
  tools: [{ name: 'credits_transfer', omit: ['fromHandle'], rename: { swarm_id: 'swarmId', to_handle: 'toHandle' } }],
  run: async ({ input, caller, api }) =>
    transfer(api, caller, await swarmFor(api.swarms, caller, input.swarmId), input),
});

const transactionTypes = TRANSACTION_TYPES.filter((type) => type !== 'transfer');

export const recordTransaction = op({
  name: 'recordTransaction',
  summary:
    'A lead’s change to an agent’s credits with a recorded reason: earn, bonus (add), spend, penalty (take; ' +
    '409 when short), adjustment (signed); transfers go through /credits/transfer',
  access: 'lead',
  input: v.object({
    swarmId,
    agentHandle: f.handle,
    transactionType: f.oneOf(transactionTypes as readonly string[] as readonly ['earn']),
    amount: f.decimal(-10_000, 10_000),
    referenceType: v.optional(f.text({ max: 50 })),
    referenceId: v.optional(f.text({ max: 100 })),
    reason: f.text({ min: 1, max: 500 }),
  }),
  http: { method: 'POST', path: '/credits/transaction' },
  async run({ input, caller, api }) {
    const type = input.transactionType as (typeof transactionTypes)[number];
    // Cents: an amount that rounds to none moves nothing; only an adjustment is signed.
    const cents = Math.round(Math.abs(input.amount) * 100);
    if (cents < 1 || (type !== 'adjustment' && input.amount < 0))
      throw errors.SWARM_BAD_AMOUNT(
        {
          message:
            type === 'adjustment'
              ? 'must be at least 0.01 either way'
              : 'must be at least 0.01 (the type says which way)',
        },
        { field: 'amount' },
      );
    await teamAgent(api, caller, input.agentHandle, 'agentHandle');
    await api.swarms.require(caller.teamName, input.swarmId, 'swarmId');
    const result = await api.credits.apply(caller.teamName, input.swarmId, input.agentHandle, {
      type,
      amount: type === 'adjustment' ? input.amount : Math.abs(input.amount),
      reason: input.reason,
      by: caller.handle,
      ...(input.referenceType || input.referenceId
        ? { reference: { type: input.referenceType ?? 'manual', id: input.referenceId ?? '' } }
        : {}),
    });
    return { ...result.account, transaction: result.transaction };
  },
});

export const adjustReputation = op({
  name: 'adjustReputation',
  summary:
    'A lead’s judgement of an agent’s task, with a recorded reason: ' +
    'reputation r ← r(1−w) + w·(success ? 1 : 0), ' +
    'counted as a task',
  access: 'lead',
  input: v.object({
    swarmId,
    agentHandle: f.handle,
    success: f.flag,
    weight: v.optional(f.decimal(0, 1, { exclusiveMin: true })),
    reason: f.text({ min: 1, max: 500 }),
  }),
  http: { method: 'POST', path: '/credits/reputation' },
  async run({ input, caller, api }) {
    await teamAgent(api, caller, input.agentHandle, 'agentHandle');
    await api.swarms.require(caller.teamName, input.swarmId, 'swarmId');
    const previous = await api.credits.reputation(caller.teamName, input.swarmId, input.agentHandle);
    const result = await api.credits.apply(caller.teamName, input.swarmId, input.agentHandle, {
      type: 'adjustment',
      amount: 0,
      reason: input.reason,
      by: caller.handle,
      reference: { type: 'reputation', id: caller.handle },
      reputation: { success: input.success, weight: input.weight ?? 0.1 },
    });
    return {
      agentHandle: input.agentHandle,
      previousReputation: previous,
      newReputation: result.account.reputationScore,
      change: result.account.reputationScore - previous,
      success: input.success,
      credits: result.account,
      transaction: result.transaction,
    };
  },
});

export const creditStats = op({
  name: 'creditStats',
  summary: 'A swarm’s credits: agents, balances, earned, spent, average reputation, tasks and successes',
  access: 'agent',
  input: v.object({ swarmId }),
  http: { method: 'GET', path: '/credits/:swarmId/stats' },
  async run({ input, caller, api }) {
    await verifySwarmAccess(api.swarms, caller, input.swarmId);
    return api.credits.stats(caller.teamName, input.swarmId);
  },
});

const leaderboardEntries = {
  orderBy: v.optional(f.oneOf(LEADERBOARD_ORDERS)),
  limit: v.optional(limit(100)),
};

export const creditLeaderboard = op({
  name: 'creditLeaderboard',
  summary: 'A swarm’s agents by reputation (default), balance, earned or tasks',
  access: 'agent',
  input: v.object({ swarmId, ...leaderboardEntries }),
  http: { method: 'GET', path: '/credits/:swarmId/leaderboard' },
  async run({ input, caller, api }) {
    await verifySwarmAccess(api.swarms, caller, input.swarmId);
    return api.credits.leaderboard(caller.teamName, input.swarmId, input.orderBy ?? 'reputation', input.limit ?? 20);
  },
});

export const creditsLeaderboard = op({
  name: 'creditsLeaderboard',
  summary: 'Your swarm’s (swarm_id’s) agents by reputation (default), balance, earned or tasks',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), ...leaderboardEntries }),
  tools: [{ name: 'credits_leaderboard', rename: { swarm_id: 'swarmId', order_by: 'orderBy' } }],
  async run({ input, caller, api }) {
    const id = await swarmFor(api.swarms, caller, input.swarmId);
    await verifySwarmAccess(api.swarms, caller, id);
    return api.credits.leaderboard(caller.teamName, id, input.orderBy ?? 'reputation', input.limit ?? 20);
  },
});

const historyEntries = {
  transactionType: v.optional(f.oneOf(TRANSACTION_TYPES)),
  sinceMs: v.optional(f.int(0)),
  limit: v.optional(limit(1000)),
};

async function history(
  api: SwarmApi,
  caller: Identity,
  id: string,
  handle: string,
  input: { transactionType?: string; sinceMs?: number; limit?: number },
) {
  await verifySwarmAccess(api.swarms, caller, id);
  const transactions = await api.credits.history(caller.teamName, id, handle, {
    transactionType: input.transactionType,
    sinceMs: input.sinceMs,
    limit: input.limit ?? 100,
  });
  return { transactions, count: transactions.length };
}

export const creditHistory = op({
  name: 'creditHistory',
  summary: 'An agent’s ledger in a swarm, newest first (by type, since a time in ms)',
  access: 'agent',
  input: v.object({ swarmId, handle: f.handle, ...historyEntries }),
  http: { method: 'GET', path: '/credits/:swarmId/:handle/history' },
  run: ({ input, caller, api }) => history(api, caller, input.swarmId, input.handle, input),
});

export const creditsHistory = op({
  name: 'creditsHistory',
  summary: 'Your ledger in your swarm (swarm_id’s), newest first',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId), ...historyEntries }),
  tools: [{ name: 'credits_history', rename: { swarm_id: 'swarmId', transaction_type: 'transactionType' } }],
  run: async ({ input, caller, api }) =>
    history(api, caller, await swarmFor(api.swarms, caller, input.swarmId), caller.handle, input),
});

export const creditAccount = op({
  name: 'creditAccount',
  summary:
    'An agent’s credits in a swarm (balance, reputation, totals, tasks); ' +
    '404 until its first change (a read opens none)',
  access: 'agent',
  input: v.object({ swarmId, handle: f.handle }),
  http: { method: 'GET', path: '/credits/:swarmId/:handle' },
  run: ({ input, caller, api }) => account(api, caller, input.swarmId, input.handle),
});

export const creditsBalance = op({
  name: 'creditsBalance',
  summary: 'Your credits in your swarm (swarm_id’s): balance, reputation, totals, tasks',
  access: 'agent',
  input: v.object({ swarmId: v.optional(swarmId) }),
  tools: [{ name: 'credits_balance', rename: { swarm_id: 'swarmId' } }],
  run: async ({ input, caller, api }) =>
    account(api, caller, await swarmFor(api.swarms, caller, input.swarmId), caller.handle),
});

export const creditOperations = [
  transferCredits,
  creditsTransfer,
  recordTransaction,
  adjustReputation,
  creditStats,
  creditLeaderboard,
  creditsLeaderboard,
  creditHistory,
  creditsHistory,
  creditAccount,
  creditsBalance,
];
