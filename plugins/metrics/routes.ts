import type { PluginRouter } from '../../core/http/plugin-router.js';
import type { FleetMetrics } from './service.js';

export function registerMetricsRoutes(router: PluginRouter, metrics: FleetMetrics): void {
  router.get('/metrics', { summary: 'Prometheus metrics (text exposition format)', auth: 'public' }, async (_input, ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.text();
  });

  router.get('/metrics/json', { summary: 'The same metrics as JSON' }, () => metrics.json());
}
