import type { Logger } from '../../../core/index.js';
import type { GovernanceApi } from '../index.js';

/** How often open proposals are re-read for deadlines (real ms): another node may have created them. */
const SWEEP_MS = 30_000;

/**
 * Deadlines close proposals by themselves: a timer per open proposal with a deadline, set at start
 * and at create; a periodic sweep arms what other nodes (PostgreSQL) created. A close is once
 * whatever the number of nodes or timers. Returns the stopper.
 */
export function startDeadlines(api: GovernanceApi, ctx: { log: Logger }): () => void {
  const armAll = async () => {
    for (const { teamName, id, deadline } of await api.proposals.withDeadlines())
      api.proposals.arm(teamName, id, deadline);
  };
  const run = () => {
    armAll().catch((error: unknown) => ctx.log.error('could not arm proposal deadlines', { error }));
  };
  run();
  const sweep = setInterval(run, SWEEP_MS);
  sweep.unref();
  return () => {
    clearInterval(sweep);
    api.proposals.disarmAll();
  };
}
