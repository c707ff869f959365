import { definePlugin } from '../../core/index.js';
import { metricsOperations } from './operations.js';
import { FleetMetrics } from './service.js';

/** What dependents get from ctx.use('metrics'): the registry, to add their own metrics. */
export interface MetricsApi {
  metrics: FleetMetrics;
}

export const metrics = definePlugin({
  name: 'metrics',
  description: 'Prometheus metrics at /metrics and /metrics/json.',
  operations: metricsOperations,
  setup(ctx): MetricsApi {
    const metrics = new FleetMetrics();
    ctx.http.onResponse((observation) => metrics.observe(observation));
    ctx.onStop(() => metrics.close());
    return { metrics };
  },
});
