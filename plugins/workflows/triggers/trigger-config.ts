import { CronTime } from 'cron';
import * as v from 'valibot';
import { triggerErrors } from './errors.js';

const text = (min: number, max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.minLength(min, `must be ${min}-${max} characters`),
    v.maxLength(max, `must be ${min}-${max} characters`),
  );
const filter = v.optional(v.record(v.string(), v.unknown(), 'must be an object'));

/** The seed's four trigger configs, each evaluated now (the seed evaluated only blackboard ones). */
const eventConfig = v.strictObject({ type: v.literal('event'), eventType: text(1, 100), filter });
const scheduleConfig = v.strictObject({
  type: v.literal('schedule'),
  cron: v.optional(text(1, 100)),
  timezone: v.optional(text(1, 100)),
  intervalMs: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number'),
      v.minValue(1000, 'must be at least 1000'),
    ),
  ),
});
const webhookConfig = v.strictObject({
  type: v.literal('webhook'),
  /** The scheduler's inbound webhook name (`/webhooks/in/<name>`; a leading `/webhooks/in/` is dropped). */
  path: text(1, 200),
  method: v.optional(v.picklist(['GET', 'POST'], 'must be GET or POST')),
  /** The delivery's event (`push`) and action, when given. */
  event: v.optional(text(1, 100)),
  action: v.optional(text(1, 100)),
  secret: v.optional(v.string()),
});
const blackboardConfig = v.strictObject({
  type: v.literal('blackboard'),
  swarmId: text(1, 100),
  messageType: text(1, 50),
  filter,
});

export type EventTriggerConfig = v.InferOutput<typeof eventConfig>;
export type ScheduleTriggerConfig = v.InferOutput<typeof scheduleConfig>;
export type WebhookTriggerConfig = v.InferOutput<typeof webhookConfig>;
export type BlackboardTriggerConfig = v.InferOutput<typeof blackboardConfig>;
export type TriggerConfig = EventTriggerConfig | ScheduleTriggerConfig | WebhookTriggerConfig | BlackboardTriggerConfig;
export type TriggerType = TriggerConfig['type'];

const schemas = { event: eventConfig, schedule: scheduleConfig, webhook: webhookConfig, blackboard: blackboardConfig };

function bad(field: string, message: string): never {
  throw triggerErrors.WORKFLOWS_TRIGGER_INVALID({ field, message }, { field });
}

/** A trigger's config checked for its type (config.type may be left out): a 400 naming `config.<field>`. */
export function parseTriggerConfig(triggerType: TriggerType, raw: Record<string, unknown>): TriggerConfig {
  if (raw.type !== undefined && raw.type !== triggerType)
    bad('config.type', `must be '${triggerType}' like triggerType`);
  const result = v.safeParse(schemas[triggerType], { ...raw, type: triggerType });
  if (!result.success) {
    const issue = result.issues[0];
    const path = (issue.path ?? []).map((item) => String(item.key)).join('.');
    let message = issue.message;
    if (issue.type === 'strict_object' && issue.expected === 'never') message = 'is not a known field';
    else if (issue.input === undefined) message = 'is required';
    bad(path ? `config.${path}` : 'config', message);
  }
  const config = result.output;
  if (config.type === 'schedule') {
    if ((config.cron === undefined) === (config.intervalMs === undefined))
      bad('config.cron', 'give one of cron or intervalMs');
    if (config.cron !== undefined) {
      try {
        if (nextSlot(config, Date.now()) === undefined) bad('config.cron', 'never fires');
      } catch (error) {
        bad('config.cron', `is not a valid cron expression (${(error as Error).message})`);
      }
    }
  }
  if (config.type === 'webhook') {
    if (config.secret !== undefined)
      bad(
        'config.secret',
        'is not taken here: secrets live in the scheduler’s webhook options (plugins.scheduler.webhooks)',
      );
    config.path = config.path.replace(/^\/?webhooks\/in\//, '').replace(/^\//, '');
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(config.path))
      bad('config.path', 'must name an inbound webhook (/webhooks/in/<name>)');
  }
  return config;
}

/** The first slot of a schedule trigger strictly after `ms`. */
export function nextSlot(config: ScheduleTriggerConfig, ms: number): number | undefined {
  if (config.intervalMs !== undefined)
    return Math.floor(ms / config.intervalMs) * config.intervalMs + config.intervalMs;
  const time = new CronTime(config.cron!, config.timezone ?? 'UTC');
  return time.getNextDateFrom(new Date(ms), config.timezone ?? 'UTC').toMillis();
}
