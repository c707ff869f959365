import { definePlugin } from '../../core/index.js';
import type { MailApi } from '../mail/index.js';
import type { TasksApi } from '../tasks/index.js';
import type { WorkersApi } from '../workers/index.js';
import { registerDomainMetrics } from './domain.js';
import { EventCounts } from './event-counts.js';
import { metricsOperations } from './operations.js';
import { FleetMetrics } from './service.js';

/** What dependents get from ctx.use('metrics'): the registry, to add their own metrics. */
export interface MetricsApi {
  metrics: FleetMetrics;
}

export const metrics = definePlugin({
  name: 'metrics',
  description: 'Prometheus metrics at /metrics and /metrics/json.',
  // Read for the domain metrics when they run; each is asked at scrape time, so toggling one is seen.
  optionalDependsOn: ['mail', 'tasks', 'workers'],
  operations: metricsOperations,
  setup(ctx): MetricsApi {
    const metrics = new FleetMetrics();
    ctx.http.onResponse((observation) => metrics.observe(observation));
    registerDomainMetrics(metrics.registry, {
      workers: () => ctx.use<WorkersApi | undefined>('workers'),
      tasks: () => ctx.use<TasksApi | undefined>('tasks'),
      mail: () => ctx.use<MailApi | undefined>('mail'),
    });
    const events = new EventCounts(metrics.registry, ctx.events.read);
    ctx.onStop(() => {
      events.stop();
      metrics.close();
    });
    return { metrics };
  },
});
