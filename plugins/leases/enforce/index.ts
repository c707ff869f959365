/**
 * Leases enforced: a policy gate that denies writes to paths others hold, a check of each worker's
 * worktree after every turn (flags), and a pre-commit hook in each fleet worktree. The leases plugin
 * spreads these exports into its definition and calls startEnforcement in its start. See README.md.
 */
import type { Kysely } from 'kysely';
import type { PluginContext } from '../../../core/index.js';
import { FlagStore } from './flag-store.js';
import { checkLeases } from './gate.js';
import { installLeaseHook } from './hook-installer.js';
import type { EnforceApi, MailLike } from './ports.js';
import type { EnforceTables } from './tables.js';
import { checkTurn } from './turn-check.js';

export { enforceErrors } from './errors.js';
export { enforceEvents, type LeaseFlag } from './events.js';
export { enforceOperations } from './operations-flags.js';
export { enforceTables, type EnforceTables, type LeaseFlagsTable } from './tables.js';
export { leaseFlagsMigration } from '../migrations/0002-lease-flags.js';
export type { EnforceApi } from './ports.js';
export { checkTurn, changedPaths } from './turn-check.js';
export { installLeaseHook } from './hook-installer.js';

export const LEASE_GATE = 'leases';
/** How often a policy plugin that was not there at start is looked for again. */
const POLICY_LOOK_MS = 5_000;

/**
 * Start enforcing: the gate (added now if policy runs, and as soon as policy's api appears if it
 * comes later), the turn diff check and the pre-commit hook installer. Returns the stopper.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the leases plugin's options and tables
export function startEnforcement(ctx: PluginContext<any, any>, api: EnforceApi): () => Promise<void> {
  const removers: (() => void)[] = [];
  const workerCwd = async (teamName: string, handle: string) =>
    (await api.workers()?.manager.store.get(teamName, handle))?.cwd;

  // The gate: policy's api may appear after this plugin starts (a fleet switching policy on).
  let gateOf: unknown;
  let removeGate: (() => void) | undefined;
  const addGate = () => {
    const policy = api.policy();
    if (!policy || policy === gateOf) return;
    removeGate?.();
    gateOf = policy;
    removeGate = policy.addGate({
      name: LEASE_GATE,
      check: (caller, request) => checkLeases({ api, workerCwd }, caller, request),
    });
  };
  addGate();
  if (!gateOf) ctx.log.info('leases: the policy plugin is off, so edits are not checked against leases until it runs');
  const look = setInterval(addGate, POLICY_LOOK_MS);
  look.unref();

  // The turn diff check: one at a time per worker, the last turn's end wins.
  const flags = new FlagStore(ctx.db as Kysely<EnforceTables>);
  const mail = () => ctx.use<MailLike | undefined>('mail');
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const deps = {
    api,
    flags,
    mail,
    log: ctx.log,
    emit: (teamName: string, flag: Parameters<typeof ctx.events.emit<'lease:violation'>>[2]['flag']) =>
      ctx.events.emit('lease:violation', teamName, { flag }),
  };
  const turnEnded = (teamName: string, handle: string) => {
    const key = `${teamName}\u0000${handle}`;
    if (running.has(key)) {
      again.add(key);
      return;
    }
    const job = (async () => {
      do {
        again.delete(key);
        try {
          await checkTurn(deps, teamName, handle);
        } catch (error) {
          ctx.log.warn('leases: the check of a worker’s turn failed', {
            team: teamName,
            handle,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      } while (again.has(key));
    })().finally(() => running.delete(key));
    running.set(key, job);
  };
  removers.push(
    ctx.events.on('worker_state', (event) => {
      const { handle, state, previous } = event.data;
      if (previous === 'working' && (state === 'idle' || state === 'ready')) turnEnded(event.team, handle);
    }),
  );

  // The pre-commit hook in every worktree the workers plugin adds (or reuses) from now on.
  const workers = api.workers();
  if (workers?.addWorktreeSetup) removers.push(workers.addWorktreeSetup((wt) => installLeaseHook(wt).then(() => {})));
  else if (workers) ctx.log.warn('leases: the workers plugin takes no worktree setups: no pre-commit hook');

  return async () => {
    clearInterval(look);
    removeGate?.();
    for (const remove of removers.splice(0)) remove();
    await Promise.allSettled([...running.values()]);
  };
}
