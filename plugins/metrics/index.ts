import { definePlugin } from '../../core/index.js';
import { registerMetricsRoutes } from './routes.js';
import { FleetMetrics } from './service.js';

/** What dependents get from ctx.use('metrics'): the registry, to add their own metrics. */
export interface MetricsApi {
  metrics: FleetMetrics;
}

export const metrics = definePlugin({
  name: 'metrics',
  description: 'Prometheus metrics at /metrics and /metrics/json.',
  setup(ctx): MetricsApi {
    const metrics = new FleetMetrics();
    registerMetricsRoutes(ctx.router, metrics);
    ctx.http.onResponse((observation) => metrics.observe(observation));
    ctx.onStop(() => metrics.close());
    return { metrics };
  },
});
