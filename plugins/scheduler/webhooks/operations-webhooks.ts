import * as v from 'valibot';
import { f, operationsFor, reply } from '../../../core/index.js';
import { webhookErrors } from './errors.js';
import type { InboundWebhooks } from './inbound-webhooks.js';
import type { RawRequest } from './ports.js';

/** What these operations need of the scheduler's api (SchedulerApi has it). */
export interface WebhooksApiPart {
  webhooks: InboundWebhooks;
}

const op = operationsFor<WebhooksApiPart>();

const deliveryId = f.uuid('delivery');
const genericName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[a-z0-9][a-z0-9_-]{0,49}$/, 'must be 1–50 lower-case letters, digits, _ or -'),
);

function raw(request: RawRequest | undefined): RawRequest {
  // Only a raw route gets here; without the bytes no signature can be checked.
  if (!request) throw webhookErrors.SCHEDULER_WEBHOOK_BAD_BODY({ message: 'raw body unavailable' });
  return request;
}

export const receiveGithub = op({
  name: 'receiveGithubWebhook',
  summary:
    'A GitHub delivery (no fleet token: X-Hub-Signature-256 is checked against the configured secret), ' +
    'stored by X-GitHub-Delivery before the answer and run through the rules',
  access: 'public',
  input: v.object({}),
  http: { method: 'POST', path: '/webhooks/github', raw: true },
  async run({ api, request }) {
    const answer = await api.webhooks.receiveGithub(raw(request));
    return reply.status(answer.status, answer.body);
  },
});

export const receiveGeneric = op({
  name: 'receiveSignedWebhook',
  summary:
    'A delivery from another sender (another fleet): X-Fleet-Signature-256 over `<X-Fleet-Timestamp>.<body>` ' +
    'with the name’s secret, X-Fleet-Delivery unique, the timestamp within the window',
  access: 'public',
  input: v.object({ name: genericName }),
  http: { method: 'POST', path: '/webhooks/in/:name', raw: true },
  async run({ input, api, request }) {
    const answer = await api.webhooks.receiveGeneric(input.name, raw(request));
    return reply.status(answer.status, answer.body);
  },
});

export const webhookStatus = op({
  name: 'webhookStatus',
  summary: 'Whether GitHub deliveries are accepted (a secret and a team are set), the endpoint and events',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/webhooks/status' },
  run: ({ caller, api }) => api.webhooks.status(caller.teamName),
});

export const webhookHistory = op({
  name: 'webhookHistory',
  summary: 'Your team’s deliveries, newest first, each with every processing’s outcomes',
  access: 'agent',
  input: v.object({
    limit: v.optional(f.int(1, 100)),
    source: v.optional(f.oneOf(['github', 'generic'] as const)),
    event: v.optional(f.text({ min: 1, max: 100 })),
  }),
  http: { method: 'GET', path: '/webhooks/history' },
  run: ({ input, caller, api }) =>
    api.webhooks.history(caller.teamName, { limit: input.limit ?? 20, source: input.source, event: input.event }),
});

export const webhookDelivery = op({
  name: 'webhookDelivery',
  summary: 'One delivery of your team with its payload and processings',
  access: 'agent',
  input: v.object({ id: deliveryId }),
  http: { method: 'GET', path: '/webhooks/deliveries/:id' },
  run: ({ input, caller, api }) => api.webhooks.get(caller.teamName, input.id),
});

export const replayDelivery = op({
  name: 'replayWebhookDelivery',
  summary: 'Run a delivery’s rules again (recorded as a replay by you)',
  access: 'lead',
  input: v.object({ id: deliveryId }),
  http: { method: 'POST', path: '/webhooks/deliveries/:id/replay' },
  run: ({ input, caller, api }) => api.webhooks.replay(caller.teamName, input.id, caller.handle),
});

export const webhookOperations = [
  receiveGithub,
  receiveGeneric,
  webhookStatus,
  webhookHistory,
  webhookDelivery,
  replayDelivery,
];
