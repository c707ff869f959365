import type { RunOutcome } from '../schedules/action.js';
import type { RuleAction } from './options.js';

/** A request of a raw route: its bytes and its headers (lower-case names), as the kernel gives them. */
export interface RawRequest {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** What the dispatcher answers. */
export type ActionOutcome = RunOutcome;

/**
 * The dispatcher's one call, as webhooks use it: `dispatcher.dispatch`, which validates the
 * action (a ScheduleAction) and refuses what it cannot run.
 */
export type Dispatch = (
  team: string,
  action: RuleAction,
  origin: { kind: 'webhook'; id: string; actor?: string },
) => Promise<ActionOutcome>;

/** Only what webhooks read of the plugin's Clock. */
export interface ClockLike {
  now(): number;
}
