import { join } from 'node:path';
import { definePlugin } from '../../core/index.js';
import type { MergeEntry } from './entry-view.js';
import { mergesErrors } from './errors.js';
import { mergesEvents } from './events.js';
import { MergesService } from './merges-service.js';
import { mergeQueueMigration } from './migrations/0001-merge-queue.js';
import { tellPeople } from './notify.js';
import { mergeOperations } from './operations-merges.js';
import { type MergesOptions, mergesOptionsSchema } from './options.js';
import type { MailPort, WorkersPort } from './ports.js';
import { QueueStore } from './queue-store.js';
import { MergeRunner } from './runner.js';
import { mergesTables } from './tables.js';

export type { MergeEntry, MergeReport, MergeTimings } from './entry-view.js';
export type { HunkCheck, HunkRef } from './hunk-check.js';
export { checkHunks } from './hunk-check.js';
export { effectivePriority, queueOrder } from './order.js';

/** What this plugin's operations (and dependents) get from ctx.use('merges'). */
export interface MergesApi {
  merges: MergesService;
  runner: MergeRunner;
  options: MergesOptions;
  workers(): WorkersPort | undefined;
  mail(): MailPort | undefined;
}

export const merges = definePlugin({
  name: 'merges',
  description:
    'A merge queue for workers’ branches: each rebased and tested in a throwaway worktree, checked for ' +
    'lost hunks, then merged by compare-and-swap (or pushed as a pull request), in fair order.',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers', 'mail', 'leases'],
  config: mergesOptionsSchema,
  tables: mergesTables,
  migrations: { '0001_merge_queue': mergeQueueMigration },
  errors: mergesErrors,
  events: mergesEvents,
  operations: mergeOperations,
  setup(ctx): MergesApi {
    const store = new QueueStore(ctx.db);
    const workers = () => ctx.use<WorkersPort | undefined>('workers');
    const mail = () => ctx.use<MailPort | undefined>('mail');
    const options = () => ctx.options;
    const changed = (entry: MergeEntry) => {
      ctx.events.emit(
        `merge:${entry.status === 'running' ? 'started' : entry.status === 'pr_open' ? 'pr' : entry.status}`,
        entry.teamName,
        { entry },
      );
      if (entry.status === 'queued') runner.kick();
      void tellPeople(entry, mail(), ctx.log);
    };
    const runner = new MergeRunner({
      store,
      options,
      workRoot: () => ctx.options.workdir ?? join(ctx.config.dataDir, 'merges'),
      log: ctx.log,
      now: () => Date.now(),
      changed,
    });
    const service = new MergesService({ store, options, workers, now: () => Date.now(), changed });
    ctx.health.count('merge_queue', (team) => store.countLive(team));
    return { merges: service, runner, options: ctx.options, workers, mail };
  },
  async start(ctx, api) {
    await api.runner.start();
    ctx.onStop(() => api.runner.stop());
  },
});
