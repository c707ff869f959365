import { dataFence } from '../../core/index.js';
import type { Checkpoint, CheckpointInfo, CheckpointService } from './checkpoint-service.js';

const bullets = (title: string, items: readonly string[]) =>
  items.length === 0 ? [] : [`${title}:`, ...items.map((item) => `- ${item}`)];

/** A checkpoint's structure as plain text, section by section (empty sections left out). */
export function checkpointText(checkpoint: Checkpoint): string {
  const done = checkpoint.doneThisSession.map((item) =>
    item.files.length > 0 ? `${item.task} (files: ${item.files.join(', ')})` : item.task,
  );
  return [
    `Goal: ${checkpoint.goal}`,
    `Now: ${checkpoint.now}`,
    ...(checkpoint.test ? [`Test: ${checkpoint.test}`] : []),
    ...bullets('Done this session', done),
    ...bullets('Worked', checkpoint.worked),
    ...bullets('Failed', checkpoint.failed),
    ...bullets('Blockers', checkpoint.blockers),
    ...bullets('Questions', checkpoint.questions),
    ...bullets('Next', checkpoint.next),
    ...bullets('Files created', checkpoint.files.created),
    ...bullets('Files modified', checkpoint.files.modified),
  ].join('\n');
}

/**
 * A checkpoint as an agent reads it: its text inside a data fence naming its author (another
 * agent's words reach an agent as data, never as instructions), and the decider's note, if any, in
 * a fence of its own.
 */
export function renderCheckpoint(info: CheckpointInfo): string {
  const parts = [dataFence({ kind: `checkpoint #${info.id}`, from: info.fromHandle }, checkpointText(info.checkpoint))];
  if (info.outcome && info.decidedBy)
    parts.push(
      dataFence({ kind: `note on checkpoint #${info.id}, ${info.status}`, from: info.decidedBy }, info.outcome),
    );
  return parts.join('\n');
}

/**
 * What a worker should know of checkpoints when it starts: the accepted checkpoints addressed to it
 * that no prompt has carried yet, in full (each then marked delivered, so it is given once, also
 * when two prompts are built at once), and the ids of those still waiting for its accept or reject.
 * Undefined when there is nothing.
 */
export async function briefingFor(
  service: CheckpointService,
  teamName: string,
  handle: string,
): Promise<string | undefined> {
  const [accepted, pending] = await Promise.all([
    service.acceptedFor(teamName, handle, { undelivered: true }),
    service.pendingFor(teamName, handle),
  ]);
  const won = new Set(
    await service.markDelivered(
      teamName,
      accepted.map((info) => info.id),
    ),
  );
  const deliver = accepted.filter((info) => won.has(info.id));
  const parts: string[] = [];
  if (deliver.length > 0) {
    parts.push(
      `Accepted checkpoints for you (${deliver.length}): where an agent left off, for you to continue from. ` +
        'Each is shown once; checkpoint_load with its id shows it again.',
    );
    for (const info of deliver) parts.push(renderCheckpoint(info));
  }
  if (pending.length > 0) {
    const list = pending.map((info) => `#${info.id} from ${info.fromHandle}`).join(', ');
    parts.push(
      `Checkpoints waiting for you to accept or reject (${pending.length}): ${list}. ` +
        'Read each with checkpoint_load (checkpoint_id), then checkpoint_accept or checkpoint_reject.',
    );
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}
