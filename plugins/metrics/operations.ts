import * as v from 'valibot';
import { operationsFor, reply } from '../../core/index.js';
import type { MetricsApi } from './index.js';

const op = operationsFor<MetricsApi>();

export const metricsText = op({
  name: 'metricsText',
  summary: 'Prometheus metrics (text exposition format)',
  access: 'public',
  input: v.object({}),
  http: { method: 'GET', path: '/metrics', responseType: 'text/plain; version=0.0.4' },
  run: async ({ api }) => reply.text(api.metrics.contentType, await api.metrics.text()),
});

export const metricsJson = op({
  name: 'metricsJson',
  summary: 'The same metrics as JSON',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/metrics/json' },
  run: ({ api }) => api.metrics.json(),
});

export const metricsOperations = [metricsText, metricsJson];
