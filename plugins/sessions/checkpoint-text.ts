import { dataFence } from '../../core/index.js';

/** A checkpoint as the fleet builds one from a transcript (the checkpoints plugin's input shape, in part). */
export interface CheckpointDraft {
  goal: string;
  now: string;
  next?: string[];
  filesModified?: string[];
}

/** What the fleet knows of a worker when it has to write the checkpoint itself. */
export interface DraftSources {
  handle: string;
  /** The task it holds, if any. */
  task?: { id: string; subject: string };
  /** Its other open tasks (not resolved). */
  openTasks: { id: string; subject: string; status: string }[];
  /** Its last result text, and its first prompt. */
  lastResult: string | null;
  prompt: string | null;
  files: string[];
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * A checkpoint from the transcript, for a worker that wrote none in time: the goal is its task (or
 * its first prompt), "now" its last result, next its open tasks, and the files its tool calls named.
 * Cut to the seed's limits (1000 characters, 20 steps of 500, 100 files of 500).
 */
export function draftCheckpoint(sources: DraftSources): CheckpointDraft {
  const goal = sources.task
    ? `Task ${sources.task.id}: ${sources.task.subject}`
    : sources.prompt?.trim()
      ? sources.prompt.trim()
      : `Continue the work of ${sources.handle}`;
  const now = sources.lastResult?.trim()
    ? `Last result: ${sources.lastResult.trim()}`
    : 'No result was reported in this session yet.';
  return {
    goal: cut(goal, 1000),
    now: cut(now, 1000),
    next: sources.openTasks.slice(0, 20).map((task) => cut(`${task.subject} (task ${task.id}, ${task.status})`, 500)),
    filesModified: sources.files.slice(0, 100).map((file) => cut(file, 500)),
  };
}

/** A draft as an agent reads it, fenced as data (used when the checkpoints plugin is off). */
export function renderDraft(draft: CheckpointDraft, handle: string): string {
  const lines = [`Goal: ${draft.goal}`, `Now: ${draft.now}`];
  if (draft.next?.length) lines.push('Next:', ...draft.next.map((step) => `- ${step}`));
  if (draft.filesModified?.length) lines.push('Files modified:', ...draft.filesModified.map((file) => `- ${file}`));
  return dataFence({ kind: 'checkpoint built by the fleet from your transcript', from: handle }, lines.join('\n'));
}

/** What the fleet asks a worker before its session is trimmed. */
export function checkpointRequest(deadlineSeconds: number): string {
  return [
    '[fleet] Your context is about to be trimmed: this session ends and you continue in a fresh one.',
    `Within ${deadlineSeconds} seconds, call the checkpoint_create tool (addressed to yourself) with your goal,`,
    'where you are now, the test to run, what you did this session, blockers, questions, what worked, what',
    'failed, the next steps and the files you created or modified. Do nothing else in this turn.',
  ].join('\n');
}

/** The first prompt of a continued session: the checkpoint, the task, and anything the caller adds. */
export function seedPrompt(input: {
  previousSession: string | null;
  endReason: string | null;
  checkpoint: string;
  task?: { id: string; subject: string };
  prompt?: string;
}): string {
  const ended = input.endReason ? ` (${input.endReason})` : '';
  const parts = [
    `[fleet] You continue in a fresh session: your previous session${
      input.previousSession ? ` ${input.previousSession}` : ''
    }${ended} was ended to free your context. Where you were is in this checkpoint; pick up from it.`,
    input.checkpoint,
  ];
  if (input.task) parts.push(`[fleet] Your task in progress: ${input.task.subject} (task ${input.task.id}).`);
  if (input.prompt) parts.push(input.prompt);
  return parts.join('\n\n');
}
