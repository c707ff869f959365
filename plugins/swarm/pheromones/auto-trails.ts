import type { Logger } from '../../../core/index.js';
import type { DepositInput, PheromoneService } from './pheromone-service.js';
import { TEAM_TRAILS } from './pheromone-service.js';
import { repositoryPath, repositoryRoot } from './repo-paths.js';
import type { TrailType } from './tables.js';
import {
  AUTO_INTENSITY,
  bashCommand,
  commandResource,
  fileTrail,
  isRefusal,
  isTestCommand,
  toolName,
} from './tool-trails.js';

/**
 * The parts of the workers plugin's transcript batch this reads (structural: see
 * plugins/workers/transcript-entries.ts). `toolUseId`, `name` and `input` on tool entries and
 * `toolResults` on the batch (the workers plugin gives them) make failing commands and passing tests
 * trails; a batch without them (an older shape) still leaves trails of file reads and edits.
 */
export interface TranscriptEntryLike {
  kind: string;
  text: string;
  paths: readonly string[];
  toolUseId?: string | null;
  name?: string | null;
  input?: unknown;
}

export interface TranscriptBatchLike {
  teamName: string;
  handle: string;
  entries: readonly TranscriptEntryLike[];
  toolResults?: readonly { toolUseId: string | null; isError: boolean; text?: string }[];
}

/** Where a worker works and which trail space it writes in. */
export interface WorkerPlace {
  root: string;
  cwd: string;
  swarmId: string;
}

export interface AutoTrailsOptions {
  service: PheromoneService;
  log: Logger;
  /** The worker's place (undefined: not a worker the fleet knows; its batch is dropped). */
  placeOf(teamName: string, handle: string): Promise<{ cwd: string; worktree?: string | null } | undefined>;
  swarmOf(teamName: string, handle: string): Promise<string | undefined>;
  /** How long after the first batch a flush runs (default 500 ms: more repeats of a file fold into one trail). */
  flushMs?: number;
}

/** Batches waiting beyond this are dropped (counted, logged): a stalled database never grows memory without end. */
const MAX_PENDING_BATCHES = 5_000;
/** Bash calls waiting for their result, per fleet (oldest forgotten first). */
const MAX_PENDING_COMMANDS = 2_000;
/** A worker's place and swarm are looked up again after this. */
const PLACE_TTL_MS = 10_000;

/**
 * Automatic trails from what workers do. The listener only queues the batch and returns (it runs on
 * the workers' output path); a timer turns queued batches into trails and writes them, one multi-row
 * insert per team and flush, identical trails of one flush written once.
 */
export class AutoTrails {
  private queue: TranscriptBatchLike[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly places = new Map<string, { place: WorkerPlace | undefined; at: number }>();
  private readonly commands = new Map<string, { teamName: string; handle: string; command: string }>();
  private stopped = false;
  dropped = 0;
  written = 0;

  constructor(private readonly options: AutoTrailsOptions) {}

  /** The transcript listener: keep the batch if it holds anything for trails, and return. */
  readonly listener = (batch: TranscriptBatchLike): void => {
    if (this.stopped) return;
    const relevant = batch.entries.some((e) => e.kind === 'tool') || (batch.toolResults?.length ?? 0) > 0;
    if (!relevant) return;
    if (this.queue.length >= MAX_PENDING_BATCHES) {
      this.dropped += 1;
      return;
    }
    this.queue.push(batch);
    this.timer ??= setTimeout(() => this.flushSoon(), this.options.flushMs ?? 500);
    this.timer.unref?.();
  };

  private flushSoon(): void {
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.flush());
  }

  /** Write what is queued (the stopper and tests wait for it). */
  async flush(): Promise<void> {
    const batches = this.queue;
    this.queue = [];
    if (batches.length === 0) return;
    try {
      const byTeam = new Map<string, Map<string, DepositInput>>();
      for (const batch of batches) {
        const place = await this.place(batch.teamName, batch.handle);
        if (!place) continue;
        let trails = byTeam.get(batch.teamName);
        if (!trails) byTeam.set(batch.teamName, (trails = new Map<string, DepositInput>()));
        for (const trail of this.trailsOf(batch, place)) {
          const key = `${trail.swarmId}\0${trail.resourceId}\0${trail.trailType}\0${trail.depositorHandle}`;
          trails.set(key, trail);
        }
      }
      for (const [teamName, trails] of byTeam)
        this.written += await this.options.service.depositMany(teamName, [...trails.values()]);
      if (this.dropped > 0) {
        this.options.log.warn('automatic pheromone trails: batches dropped while the queue was full', {
          dropped: this.dropped,
        });
        this.dropped = 0;
      }
    } catch (error) {
      this.options.log.warn('automatic pheromone trails could not be written', { error: (error as Error).message });
    }
  }

  private async place(teamName: string, handle: string): Promise<WorkerPlace | undefined> {
    const key = `${teamName}/${handle}`;
    const cached = this.places.get(key);
    if (cached && Date.now() - cached.at < PLACE_TTL_MS) return cached.place;
    const found = await this.options.placeOf(teamName, handle);
    const place = found
      ? {
          root: repositoryRoot({ cwd: found.cwd, worktree: found.worktree }),
          cwd: found.cwd,
          swarmId: (await this.options.swarmOf(teamName, handle)) ?? TEAM_TRAILS,
        }
      : undefined;
    this.places.set(key, { place, at: Date.now() });
    return place;
  }

  private trailsOf(batch: TranscriptBatchLike, place: WorkerPlace): DepositInput[] {
    const trails: DepositInput[] = [];
    const add = (resourceType: 'file' | 'custom', resourceId: string, trailType: TrailType, tool: string) =>
      trails.push({
        swarmId: place.swarmId,
        resourceType,
        resourceId,
        depositorHandle: batch.handle,
        trailType,
        intensity: AUTO_INTENSITY[trailType as keyof typeof AUTO_INTENSITY] ?? 1,
        metadata: { auto: true, tool },
      });
    for (const entry of batch.entries) {
      if (entry.kind !== 'tool') continue;
      const tool = entry.name ?? toolName(entry.text);
      const trailType = fileTrail(tool);
      if (trailType) {
        for (const path of entry.paths) {
          const resource = repositoryPath(place.root, place.cwd, path);
          if (resource) add('file', resource, trailType, tool);
        }
      } else if (tool === 'Bash' && entry.toolUseId) {
        const command = bashCommand(entry.input, entry.text);
        if (command !== undefined)
          this.remember(entry.toolUseId, { teamName: batch.teamName, handle: batch.handle, command });
      }
    }
    for (const result of batch.toolResults ?? []) {
      const call = result.toolUseId ? this.commands.get(result.toolUseId) : undefined;
      if (!call || call.handle !== batch.handle || call.teamName !== batch.teamName) continue;
      this.commands.delete(result.toolUseId!);
      // A refused command never ran: no error of the code's.
      if (result.isError && isRefusal(result.text)) continue;
      const trailType: TrailType | undefined = result.isError
        ? 'error'
        : isTestCommand(call.command)
          ? 'success'
          : undefined;
      if (!trailType) continue;
      const target = commandResource(call.command);
      const resource = target.path ? repositoryPath(place.root, place.cwd, target.path) : undefined;
      if (resource) add('file', resource, trailType, 'Bash');
      else add('custom', target.type === 'custom' ? target.id : `command:${target.id}`, trailType, 'Bash');
    }
    return trails;
  }

  private remember(id: string, call: { teamName: string; handle: string; command: string }): void {
    if (this.commands.size >= MAX_PENDING_COMMANDS) {
      const oldest = this.commands.keys().next().value;
      if (oldest !== undefined) this.commands.delete(oldest);
    }
    this.commands.set(id, call);
  }

  /** Stop listening; write what is queued. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }
}
