import type { PluginContext } from '../../../core/index.js';
import type { TemplateService } from './template-service.js';

/**
 * Move template runs along in the background (from the plugin's start): a worker's result or end
 * advances the runs it has a role in; a sweep at start and every `pollMs` resumes runs after a
 * restart and notices spawns that failed in the queue. Returns the stopper (for ctx.onStop).
 */
export function startTemplates(
  api: { templates: TemplateService },
  ctx: Pick<PluginContext, 'events' | 'log'>,
  options: { pollMs?: number } = {},
): () => Promise<void> {
  const { templates } = api;
  const fail = (error: unknown) =>
    ctx.log.warn('templates: advancing a run failed', { error: (error as Error).message });
  const off = ctx.events.on(['worker_result', 'worker_failed', 'worker_dismissed'], (event) => {
    void templates
      .runsOf(event.team, event.data.handle)
      .then((runs) => Promise.all(runs.map((run) => templates.advance(event.team, run))))
      .catch(fail);
  });
  let sweeping: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = () => {
    sweeping = templates
      .sweep()
      .catch(fail)
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.pollMs ?? 2000);
      });
  };
  loop();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    off();
    await sweeping;
  };
}
