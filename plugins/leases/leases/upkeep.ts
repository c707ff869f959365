import type { PluginContext } from '../../../core/index.js';
import type { LeasesApi } from '../index.js';
import type { Clock } from '../../../core/index.js';

/**
 * The lease upkeep: every `renewEverySeconds` (on the plugin's clock) live workers' leases are extended
 * and expired ones swept; a dismissed worker's leases are released at once. Returns the stopper.
 */
export function startUpkeep(ctx: Pick<PluginContext, 'events' | 'log'>, api: LeasesApi, clock: Clock): () => void {
  let stopped = false;
  let timer: { cancel(): void } | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const every = api.options.renewEverySeconds * 1000;
  const arm = () => {
    if (stopped) return;
    timer = clock.at(clock.now() + every, () => {
      running = api.leases
        .sweep()
        .catch((error: unknown) => ctx.log.warn('lease upkeep failed', { error: String(error) }))
        .finally(arm);
    });
  };
  arm();
  const off = ctx.events.on('worker_dismissed', (event) => {
    void api.leases
      .releaseHolder(event.team, event.data.handle, 'dismissed')
      .catch((error: unknown) =>
        ctx.log.warn('releasing a dismissed worker’s leases failed', { error: String(error) }),
      );
  });
  return () => {
    stopped = true;
    timer?.cancel();
    off();
    void running;
  };
}
