import { Counter, type Registry } from 'prom-client';
import type { Outcome } from './schedules/action.js';

/** A counter of this name in the registry (the plugin was restarted: its counter is still there), or a new one. */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/**
 * fleet_scheduler_runs_total{outcome}: runs by the outcome they ended with (counted once, when the
 * run is done: a queued run counts when its job settles). On the metrics plugin's registry while it
 * runs, asked at each count so a metrics plugin turned on later gets it.
 */
export class SchedulerMetrics {
  #registry: Registry | undefined;
  #runs: Counter<'outcome'> | undefined;

  constructor(private readonly registry: () => Registry | undefined) {}

  runFinished(outcome: Outcome): void {
    const registry = this.registry();
    if (!registry) return;
    if (this.#registry !== registry) {
      this.#registry = registry;
      this.#runs = counter(registry, 'fleet_scheduler_runs_total', 'Scheduled runs by the outcome they ended with', [
        'outcome',
      ]);
    }
    this.#runs!.inc({ outcome });
  }
}
