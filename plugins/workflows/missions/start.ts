import type { PluginContext } from '../../../core/index.js';
import type { MissionService } from './mission-service.js';

/**
 * Run missions in the background (from the plugin's start): a worker's result event checks its
 * mission's gates; a failed, dismissed or stopped worker ends its mission; a sweep at start and every
 * `pollMs` resumes what a restart interrupted. Returns the stopper (for ctx.onStop).
 */
export function startMissions(
  api: { missions: MissionService },
  ctx: Pick<PluginContext, 'events' | 'log'>,
  options: { pollMs?: number } = {},
): () => Promise<void> {
  const { missions } = api;
  const fail = (what: string) => (error: unknown) =>
    ctx.log.warn(`missions: ${what} failed`, { error: (error as Error).message });
  const offResult = ctx.events.on('worker_result', (event) => {
    void missions.onTurnEnded(event.team, event.data.handle, event.data.result).catch(fail('a turn end'));
  });
  const offEnded = ctx.events.on(['worker_failed', 'worker_dismissed'], (event) => {
    const how = event.type === 'worker_failed' ? 'failed' : 'was dismissed';
    void missions.onWorkerEnded(event.team, event.data.handle, how).catch(fail('a worker end'));
  });
  let sweeping: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = () => {
    sweeping = missions
      .sweep()
      .catch(fail('a sweep'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.pollMs ?? 2000);
      });
  };
  loop();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    offResult();
    offEnded();
    await missions.stop();
    await sweeping;
  };
}
