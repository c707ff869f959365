import { definePlugin } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { WorkersApi } from '../workers/index.js';
import { briefingFor, renderCheckpoint } from './briefing.js';
import {
  type CheckpointInfo,
  type CheckpointInput,
  type CheckpointQuery,
  CheckpointService,
  type CheckpointStatus,
} from './checkpoint-service.js';
import { checkpointsErrors } from './errors.js';
import { checkpointsEvents } from './events.js';
import { fitCheckpoint } from './fit-checkpoint.js';
import { checkpointsMigration } from './migrations/0001-checkpoints.js';
import { checkpointOperations } from './operations-checkpoints.js';
import { checkpointsTables } from './tables.js';

export type {
  Checkpoint,
  CheckpointInfo,
  CheckpointInput,
  CheckpointStatus,
  CheckpointSummary,
} from './checkpoint-service.js';
import { fileURLToPath } from 'node:url';
export { CHECKPOINT_LIMITS } from './fields.js';

/**
 * What dependents (the sessions plugin's trim and continue) and this plugin's operations get from
 * ctx.use('checkpoints'). Every call is scoped to the team it names; identity checks are the
 * operations' (a plugin calling these has decided who acts).
 */
export interface CheckpointsApi {
  /**
   * Store a pending checkpoint from `fromHandle` to `toHandle` (default: fromHandle), written by
   * `createdBy` (default: fromHandle); emits checkpoint_created. The checkpoint is checked against the
   * route's limits (400 naming the field); `fit` trims a built one to them first.
   */
  create(
    teamName: string,
    input: { fromHandle: string; toHandle?: string; createdBy?: string; checkpoint: CheckpointInput },
  ): Promise<CheckpointInfo>;
  get(teamName: string, id: number): Promise<CheckpointInfo | undefined>;
  /** Like get, but 404 CHECKPOINTS_NOT_FOUND when the team has no such checkpoint. */
  require(teamName: string, id: number): Promise<CheckpointInfo>;
  /** The newest checkpoint addressed to `handle`, of any status or of the one given. */
  latestFor(teamName: string, handle: string, status?: CheckpointStatus): Promise<CheckpointInfo | undefined>;
  /** Accepted checkpoints addressed to `handle`, oldest first; `undelivered`: only those no prompt carried yet. */
  acceptedFor(teamName: string, handle: string, options?: { undelivered?: boolean }): Promise<CheckpointInfo[]>;
  /** From or to `handle`, newest first. */
  list(teamName: string, handle: string, query: CheckpointQuery): Promise<CheckpointInfo[]>;
  /** Accept or reject a pending checkpoint once (409 CHECKPOINTS_ALREADY_PROCESSED otherwise); emits its event. */
  decide(
    teamName: string,
    id: number,
    decision: 'accepted' | 'rejected',
    decidedBy: string,
    note?: string,
  ): Promise<CheckpointInfo>;
  /**
   * Record that accepted checkpoints reached their recipient's prompt (by a plugin that put them
   * there itself), so the briefing does not give them again. Returns the ids this call marked.
   */
  markDelivered(teamName: string, ids: readonly number[]): Promise<number[]>;
  /** A checkpoint as an agent should read it: its text in a data fence naming its author. */
  render(info: CheckpointInfo): string;
  /** The briefing source: accepted checkpoints not delivered yet (then delivered), and pending ones' ids. */
  briefing(teamName: string, handle: string): Promise<string | undefined>;
  /** A checkpoint built from what code found, cut to the limits `create` checks. */
  fit(draft: CheckpointInput): CheckpointInput;
  auth(): AuthApi;
}

export const checkpoints = definePlugin({
  name: 'checkpoints',
  description:
    'Checkpoints: a structured "where I am" one agent leaves for another (or for itself), accepted or ' +
    'rejected by the recipient, and given once in its next first prompt when accepted.',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers'],
  tables: checkpointsTables,
  migrations: { '0001_checkpoints': checkpointsMigration },
  errors: checkpointsErrors,
  events: checkpointsEvents,
  operations: checkpointOperations,
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Checkpoints', order: 80 },
  setup(ctx): CheckpointsApi {
    const service = new CheckpointService(ctx.db, ctx.events.emit);
    ctx.health.count('checkpoints', (team) => service.countAll(team));
    return {
      create: (teamName, input) => service.create(teamName, input),
      get: (teamName, id) => service.get(teamName, id),
      require: (teamName, id) => service.require(teamName, id),
      latestFor: (teamName, handle, status) => service.latestFor(teamName, handle, status),
      acceptedFor: (teamName, handle, options) => service.acceptedFor(teamName, handle, options),
      list: (teamName, handle, query) => service.list(teamName, handle, query),
      decide: (teamName, id, decision, decidedBy, note) => service.decide(teamName, id, decision, decidedBy, note),
      markDelivered: (teamName, ids) => service.markDelivered(teamName, ids),
      render: renderCheckpoint,
      briefing: (teamName, handle) => briefingFor(service, teamName, handle),
      fit: fitCheckpoint,
      auth: () => ctx.use<AuthApi>('auth'),
    };
  },
  start(ctx, api) {
    // Every worker launched from now on (and every session a worker continues in) starts with its
    // accepted checkpoints not yet delivered, and the ids of those waiting for its decision.
    const workers = ctx.use<WorkersApi | undefined>('workers');
    if (workers)
      ctx.onStop(
        workers.addBriefingSource({ name: 'checkpoints', briefing: (team, handle) => api.briefing(team, handle) }),
      );
  },
});
