import { defineErrors } from '../../core/index.js';

export const checkpointsErrors = defineErrors({
  CHECKPOINTS_NOT_FOUND: [404, 'Checkpoint not found'],
  CHECKPOINTS_NONE_FOR_HANDLE: [404, 'No checkpoint found for this handle'],
  CHECKPOINTS_SENDER_NOT_FOUND: [404, 'Sender not found'],
  CHECKPOINTS_ACCESS_DENIED: [403, 'Access denied: checkpoint belongs to {from} -> {to}'],
  CHECKPOINTS_NOT_RECIPIENT: [403, "Only the recipient '{to}' can {verb} this checkpoint"],
  CHECKPOINTS_ALREADY_PROCESSED: [409, 'Checkpoint already processed'],
});
