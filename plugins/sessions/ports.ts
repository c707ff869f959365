import type { CheckpointDraft } from './checkpoint-text.js';

/** A checkpoint as the checkpoints plugin gives it (the part trim and continue read). */
export interface CheckpointLike {
  id: number;
  fromHandle: string;
  toHandle: string;
  createdAt: number;
  checkpoint: unknown;
}

/**
 * What trim and continue use of the checkpoints plugin (`ctx.use('checkpoints')` when it runs): a
 * structural subset of its api, so this plugin builds and runs without that folder.
 */
export interface CheckpointsPort {
  create(
    teamName: string,
    input: { fromHandle: string; toHandle?: string; createdBy?: string; checkpoint: CheckpointDraft },
  ): Promise<CheckpointLike>;
  get(teamName: string, id: number): Promise<CheckpointLike | undefined>;
  latestFor(teamName: string, handle: string): Promise<CheckpointLike | undefined>;
  render(info: CheckpointLike): string;
  fit(draft: CheckpointDraft): CheckpointDraft;
}
