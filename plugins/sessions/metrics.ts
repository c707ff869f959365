import { Counter, type Registry } from 'prom-client';
import type { ModelSpend } from './spend.js';

/** Distinct model labels at most; the rest count under `other`. */
const MAX_MODEL_LABELS = 50;

interface Counters {
  registry: Registry;
  tokens: Counter<'kind' | 'model'>;
  cost: Counter<'model' | 'source'>;
  results: Counter<'cost'>;
}

/** A counter of this name in the registry (the plugin was restarted: its counters are still there), or a new one. */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/**
 * The accounting's Prometheus counters, on the metrics plugin's registry while it runs (asked at each
 * result, so a metrics plugin turned on later gets them). Fleet-wide like every fleet metric: no team
 * or worker label; models are few.
 */
export class AccountingMetrics {
  #counters: Counters | undefined;

  constructor(private readonly registry: () => Registry | undefined) {}

  #on(): Counters | undefined {
    const registry = this.registry();
    if (!registry) return undefined;
    if (this.#counters?.registry !== registry) {
      this.#counters = {
        registry,
        tokens: counter(registry, 'fleet_session_tokens_total', 'Tokens the agents spent, by kind and model', [
          'kind',
          'model',
        ]),
        cost: counter(
          registry,
          'fleet_session_cost_usd_total',
          'What the agents spent in US dollars, by model and source (reported by the agent, or priced)',
          ['model', 'source'],
        ),
        results: counter(registry, 'fleet_session_results_total', 'Results accounted, by whether their cost is known', [
          'cost',
        ]),
      };
    }
    return this.#counters;
  }

  /** Model labels given so far: agents name their models (an external worker any it likes), so they are bounded. */
  readonly #models = new Set<string>();

  #label(model: string): string {
    if (this.#models.has(model)) return model;
    if (this.#models.size >= MAX_MODEL_LABELS) return 'other';
    this.#models.add(model);
    return model;
  }

  record(spends: readonly ModelSpend[]): void {
    const counters = this.#on();
    if (!counters) return;
    for (const spend of spends) {
      const model = this.#label(spend.model);
      counters.tokens.inc({ kind: 'input', model }, spend.tokens.input);
      counters.tokens.inc({ kind: 'output', model }, spend.tokens.output);
      counters.tokens.inc({ kind: 'cache_read', model }, spend.tokens.cacheRead);
      counters.tokens.inc({ kind: 'cache_write', model }, spend.tokens.cacheWrite);
      if (spend.costNanos !== null && spend.costSource !== null)
        counters.cost.inc({ model, source: spend.costSource }, spend.costNanos / 1e9);
    }
    counters.results.inc({ cost: spends.every((spend) => spend.costNanos !== null) ? 'known' : 'unknown' });
  }
}
