import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { f, isLead, operationsFor } from '../../../core/index.js';
import { FlagStore } from './flag-store.js';
import type { EnforceTables } from './tables.js';

const op = operationsFor<unknown>();

/** A time in ISO 8601 or ms since the epoch; the input is ms. */
const since = v.pipe(
  v.unknown(),
  v.transform((value) => {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return Number.NaN;
    if (/^\d{1,16}$/.test(value)) return Number(value);
    return /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  }),
  v.number(),
  v.check((value) => Number.isFinite(value) && value >= 0, 'must be an ISO 8601 time or ms since the epoch'),
);

export const listLeaseFlags = op({
  name: 'listLeaseFlags',
  summary:
    "Changes workers' turns left that their leases do not allow (a path leased to another, or outside their own " +
    'leases), newest first; a worker sees its own',
  access: 'agent',
  input: v.object({
    handle: v.optional(f.handle),
    kind: v.optional(f.oneOf(['leased', 'outside'] as const)),
    since: v.optional(since),
    limit: v.optional(f.int(1, 500)),
    offset: v.optional(f.int(0, 1_000_000)),
  }),
  http: { method: 'GET', path: '/leases/flags' },
  tools: [{ name: 'lease_flags' }],
  run: ({ input, caller, ctx }) => {
    const store = new FlagStore(ctx.db as Kysely<EnforceTables>);
    // A worker reads its own flags; a lead reads any of the team's.
    const handle = isLead(caller) ? input.handle : caller.handle;
    return store.list(caller.teamName, {
      handle,
      kind: input.kind,
      since: input.since,
      limit: input.limit ?? 100,
      offset: input.offset ?? 0,
    });
  },
});

export const enforceOperations = [listLeaseFlags];
