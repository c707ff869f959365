import * as v from 'valibot';
import { actionSchema, type ScheduleAction } from '../schedules/action.js';

const words = (what: string) => v.optional(v.array(v.pipe(v.string(), v.minLength(1)), `must be a list of ${what}`));

/** An action a rule runs: the scheduler's ScheduleAction (`{ kind: 'template', template }`, ...). */
export type RuleAction = ScheduleAction;

/**
 * A rule: all the conditions it names must hold; each list condition holds when any of its values
 * does. `checkName` matches when the check's name contains it (lower-case); `labels` against the
 * issue's or pull request's labels and the label just added; `files` against the added and
 * modified paths' endings, `paths` against what they contain.
 */
export const webhookRule = v.strictObject({
  event: v.pipe(v.string(), v.minLength(1)),
  action: words('actions'),
  branch: words('branches'),
  defaultBranch: v.optional(v.boolean()),
  labels: words('labels'),
  checkName: words('check names'),
  conclusion: words('conclusions'),
  severity: words('severities'),
  files: words('file endings'),
  paths: words('path parts'),
  actions: v.array(actionSchema, 'must be a list of actions'),
});
export type WebhookRule = v.InferOutput<typeof webhookRule>;

const secret = v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'));

/** `plugins.scheduler.webhooks` (a part of the plugin's options). */
export const webhookOptionsSchema = v.optional(
  v.strictObject({
    /** The team every delivery belongs to (its tasks, workers and history). */
    team: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,50}$/))),
    /** Larger bodies are 413 (the fleet's own body limit applies first). */
    maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024)), 1_048_576),
    /** How long a POST waits for its rules to run before it answers 202 (they go on). */
    answerWithinMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 5000),
    /** A processing older than this when the server starts is taken over (its server died). */
    processingLeaseSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 300),
    github: v.optional(
      v.strictObject({
        /** Else env GITHUB_WEBHOOK_SECRET. */
        secret: v.optional(secret),
        /** Replace the seed's mapping (default rules) when given. */
        rules: v.optional(v.array(webhookRule)),
      }),
      {},
    ),
    /** POST /webhooks/in/:name: each sender with its own secret and rules. */
    generic: v.optional(
      v.record(
        v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9_-]{0,49}$/)),
        v.strictObject({
          secret,
          team: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,50}$/))),
          rules: v.optional(v.array(webhookRule), []),
          /** X-Fleet-Timestamp must be within this many seconds of now (either way). */
          toleranceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 300),
        }),
      ),
      {},
    ),
  }),
  {},
);
export type WebhookOptions = v.InferOutput<typeof webhookOptionsSchema>;
