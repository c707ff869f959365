/**
 * For enforcement's tests: the leases plugin's own blocker rules (conflicts.ts) over a list of leases,
 * without a database. blockersFor took the active leases, and now takes a LeaseIndex of them and the
 * time: both are served, so these tests follow the leases plugin as it changes.
 */
import * as conflicts from '../leases/conflicts.js';
import type { LeaseView } from '../leases/lease-store.js';
import type { LeaseBlockerLike } from './ports.js';

type Blockers = (team: string, handle: string, paths: readonly string[], ...rest: unknown[]) => LeaseBlockerLike[];

// A specifier in a variable: the module may not exist in every revision of the leases plugin.
const INDEX_MODULE = '../leases/lease-index.js';
const indexModule = (await import(INDEX_MODULE).catch(() => undefined)) as
  { LeaseIndex?: new (leases: readonly LeaseView[]) => unknown } | undefined;

/** The leases of others that forbid (team, handle) these paths, by the leases plugin's rules. */
export function blockersOf(team: string, handle: string, paths: readonly string[], active: LeaseView[]) {
  const blockersFor = conflicts.blockersFor as unknown as Blockers;
  const Index = indexModule?.LeaseIndex;
  return Index
    ? blockersFor(team, handle, paths, new Index(active), Date.now())
    : blockersFor(team, handle, paths, active);
}
