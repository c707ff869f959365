import { defineEvents } from '../../core/index.js';
import type { EndCheckpoint } from './sessions-service.js';
import type { SessionView } from './session-view.js';

/** What one result spent on one model, as cost_recorded carries it. */
export interface ModelCost {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** null: unknown (the agent reported no cost and no price applied), never a made-up 0. */
  costUsd: number | null;
  costSource: 'reported' | 'priced' | null;
}

declare module '../../core/index.js' {
  interface FleetEventMap {
    session_started: { handle: string; session: SessionView };
    session_ended: { handle: string; session: SessionView };
    session_trimmed: {
      handle: string;
      session: SessionView;
      checkpoint: EndCheckpoint;
      /** The session it continues in, when trim continued at once. */
      continuedIn: string | null;
    };
    cost_recorded: {
      handle: string;
      sessionId: string;
      agentSessionId: string | null;
      taskId: string | null;
      models: ModelCost[];
      costUsd: number | null;
      /** The session's context size, as the agent reported it with this result. */
      contextTokens: number | null;
    };
  }
}

const perWorker = (data: { handle: string }) => `sessions.${data.handle}`;

export const sessionsEvents = defineEvents({
  session_started: {
    topic: perWorker,
    summary: 'A session began (a spawn, a continued session, one recorded by hand)',
  },
  session_ended: { topic: perWorker, summary: 'A session ended: trimmed, continued, replaced, dismissed, failed' },
  session_trimmed: { topic: perWorker, summary: 'A session was trimmed: ended with a checkpoint (and continued)' },
  cost_recorded: {
    topic: perWorker,
    summary: 'The tokens and cost of one result, by model, with its session and task',
  },
});
