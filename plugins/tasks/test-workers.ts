import { definePlugin } from '../../core/plugin.js';
import type { WorkerInput } from './workers-port.js';

/**
 * A stand-in for the workers plugin, which does not exist yet: a later issue builds it, and when it
 * lands the real plugin replaces this one in these tests. It is the one sanctioned stand-in: it
 * implements the WorkerInput port of plugins/tasks/workers-port.ts, treats the `team/handle` pairs
 * in `live` as running, and records what it is sent. Pass `plugin` in extraPlugins and turn
 * `workers` on in the plugins config.
 */
export function recordingWorkers(live: ReadonlySet<string> = new Set()) {
  const sent: { teamName: string; handle: string; text: string }[] = [];
  const api: WorkerInput = {
    async isLive(teamName, handle) {
      return live.has(`${teamName}/${handle}`);
    },
    async sendToWorker(teamName, handle, text) {
      sent.push({ teamName, handle, text });
    },
  };
  return { sent, plugin: definePlugin({ name: 'workers', setup: () => api }) };
}
