/**
 * Leases enforced: a policy gate that denies writes to paths others hold, a check of each worker's
 * worktree after every turn (flags), and a pre-commit hook in each fleet worktree. The leases plugin
 * spreads these exports into its definition and calls startEnforcement in its start. See README.md.
 */
import type { PluginContext } from '../../../core/index.js';
import { checkLeases } from './gate.js';
import type { EnforceApi } from './ports.js';

export { enforceErrors } from './errors.js';
export { enforceEvents, type LeaseFlag } from './events.js';
export { enforceOperations } from './operations-flags.js';
export { enforceTables, type EnforceTables, type LeaseFlagsTable } from './tables.js';
export { leaseFlagsMigration } from '../migrations/0002-lease-flags.js';
export type { EnforceApi } from './ports.js';

export const LEASE_GATE = 'leases';

/**
 * Start enforcing: the gate (added now if policy runs, and whenever policy's api appears later),
 * the turn diff check and the pre-commit hook installer. Returns the stopper.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the leases plugin's options and tables
export function startEnforcement(ctx: PluginContext<any, any>, api: EnforceApi): () => Promise<void> {
  const removers: (() => void)[] = [];
  const policy = api.policy();
  if (policy) {
    const workerCwd = async (teamName: string, handle: string) =>
      (await api.workers()?.manager.store.get(teamName, handle))?.cwd;
    removers.push(
      policy.addGate({
        name: LEASE_GATE,
        check: (caller, request) => checkLeases({ api, workerCwd }, caller, request),
      }),
    );
  } else ctx.log.info('leases: the policy plugin is off, so edits are not checked against leases');
  return () => {
    for (const remove of removers.splice(0)) remove();
    return Promise.resolve();
  };
}
