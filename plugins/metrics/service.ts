import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ResponseObservation } from '../../core/index.js';

/**
 * The fleet's Prometheus registry (its own, not prom-client's global one, so a restart of the
 * plugin starts clean): HTTP requests by method, route and status, request durations, and the
 * process metrics prom-client collects (CPU, memory, event loop lag, handles, GC).
 */
export class FleetMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #duration: Histogram<'method' | 'route'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fleet_' });
    // prom-client names these three gauges `_total`, which Prometheus keeps for counters (promtool
    // says so); their by-type twins (`fleet_nodejs_active_handles{type}`, ...) carry the same numbers.
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total'])
      this.registry.removeSingleMetric(`fleet_nodejs_${name}`);
    this.#requests = new Counter({
      name: 'fleet_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: 'fleet_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route template',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  observe(observation: ResponseObservation): void {
    this.#requests.inc({ method: observation.method, route: observation.route, status: String(observation.status) });
    this.#duration.observe({ method: observation.method, route: observation.route }, observation.durationMs / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  json(): Promise<unknown> {
    return this.registry.getMetricsAsJSON();
  }

  close(): void {
    this.registry.clear();
  }
}
