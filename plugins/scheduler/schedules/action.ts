import * as v from 'valibot';
import { f } from '../../../core/index.js';

/** What a task template is run with (the seed's context: repository, branch, prNumber, files...). */
export type TemplateContext = Record<string, unknown>;

/**
 * What a schedule, a webhook rule or a queued job can do (the contract between the scheduler's
 * owners). Text fields of prompt, spawn and task actions may say `{{slot}}` (the slot's ISO time)
 * and `{{schedule}}` (its name): each run's work then names its slot.
 */
export type ScheduleAction =
  | { kind: 'prompt'; handle: string; prompt: string }
  | { kind: 'spawn'; handle?: string; prompt: string; role?: string }
  | { kind: 'task'; subject: string; description?: string; owner?: string }
  | { kind: 'template'; template: string; context?: TemplateContext }
  | { kind: 'webhook'; url: string; body?: unknown }
  | { kind: 'workflow'; workflow: string; inputs?: Record<string, unknown> }
  | { kind: 'audit'; quick?: boolean };

export type ActionKind = ScheduleAction['kind'];
export const ACTION_KINDS = ['prompt', 'spawn', 'task', 'template', 'webhook', 'workflow', 'audit'] as const;

/** How a dispatch ended. `delivered` only with evidence (the turn started, the task id, a 2xx status). */
export type Outcome = 'delivered' | 'queued' | 'refused' | 'failed' | 'skipped';
export const OUTCOMES = ['delivered', 'queued', 'refused', 'failed', 'skipped'] as const;

export interface RunOutcome {
  outcome: Outcome;
  reason?: string;
  evidence?: Record<string, unknown>;
}

const name = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1–100 letters, digits, ., _ or -, starting with one'),
);
const url = v.pipe(v.string('must be a string'), v.maxLength(2000, 'must be at most 2000 characters'));

const kinds = {
  prompt: v.object({ kind: v.literal('prompt'), handle: f.handle, prompt: f.text({ min: 1, max: 50_000 }) }),
  spawn: v.object({
    kind: v.literal('spawn'),
    handle: v.optional(f.handle),
    prompt: f.text({ min: 1, max: 50_000 }),
    role: v.optional(f.text({ min: 1, max: 50 })),
  }),
  task: v.object({
    kind: v.literal('task'),
    subject: f.text({ min: 3, max: 200 }),
    description: v.optional(f.text({ max: 10_000 })),
    owner: v.optional(f.handle),
  }),
  template: v.object({
    kind: v.literal('template'),
    template: name,
    context: v.optional(f.jsonObject({ maxChars: 20_000 })),
  }),
  webhook: v.object({ kind: v.literal('webhook'), url, body: v.optional(v.unknown()) }),
  workflow: v.object({
    kind: v.literal('workflow'),
    workflow: name,
    inputs: v.optional(f.jsonObject({ maxChars: 20_000 })),
  }),
  audit: v.object({ kind: v.literal('audit'), quick: v.optional(f.flag) }),
};

const SHAPE = `must be an object with kind ${ACTION_KINDS.join(', ')}`;

/** One action, checked by its kind (an unknown kind names the choices). */
export const actionSchema = v.pipe(
  v.unknown(),
  v.metadata({ type: 'object', properties: { kind: { enum: ACTION_KINDS } }, required: ['kind'] }),
  v.check(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      (ACTION_KINDS as readonly unknown[]).includes((value as { kind?: unknown }).kind),
    SHAPE,
  ),
  v.variant('kind', Object.values(kinds), SHAPE),
) as unknown as v.GenericSchema<unknown, ScheduleAction>;

/** A template name (the seed's `tasks` entries). */
export const templateName = name;

/** Fill `{{slot}}` and `{{schedule}}` in an action's texts. */
export function fillAction(action: ScheduleAction, values: { slot: string; schedule: string }): ScheduleAction {
  const fill = (text: string) => text.replaceAll('{{slot}}', values.slot).replaceAll('{{schedule}}', values.schedule);
  switch (action.kind) {
    case 'prompt':
      return { ...action, prompt: fill(action.prompt) };
    case 'spawn':
      return { ...action, prompt: fill(action.prompt) };
    case 'task':
      return {
        ...action,
        subject: fill(action.subject),
        ...(action.description !== undefined ? { description: fill(action.description) } : {}),
      };
    default:
      return action;
  }
}
