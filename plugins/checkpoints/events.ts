import { defineEvents } from '../../core/index.js';
import type { CheckpointSummary } from './checkpoint-service.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    checkpoint_created: { checkpoint: CheckpointSummary };
    checkpoint_accepted: { checkpoint: CheckpointSummary };
    checkpoint_rejected: { checkpoint: CheckpointSummary };
  }
}

/**
 * On the team's `checkpoints` topic. They carry ids, handles and the status, never the checkpoint's
 * text (which only its two parties and the team's leads may read), so no guarded topic is needed:
 * a teammate learns that w1 left a checkpoint for w2, and reads it only if it is one of them.
 */
export const checkpointsEvents = defineEvents({
  checkpoint_created: { topic: 'checkpoints', summary: 'A checkpoint was left for an agent of the team (no text)' },
  checkpoint_accepted: { topic: 'checkpoints', summary: 'The recipient (or a lead) accepted a checkpoint' },
  checkpoint_rejected: { topic: 'checkpoints', summary: 'The recipient (or a lead) rejected a checkpoint' },
});
