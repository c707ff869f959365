import { pauseOperations } from './operations-pause.js';
import { queueOperations } from './operations-queue.js';
import { rescueOperations } from './operations-rescue.js';
import { transcriptOperations } from './operations-transcript.js';
import { workerOperations } from './operations-workers.js';
import { worktreeOperations } from './operations-worktrees.js';

/** Every operation of the workers plugin, in route-matching order (`/spawn-queue/status` before `/spawn-queue/:id`). */
export const operationsOfWorkers = [
  ...workerOperations,
  ...transcriptOperations,
  ...pauseOperations,
  ...worktreeOperations,
  ...rescueOperations,
  ...queueOperations,
];
