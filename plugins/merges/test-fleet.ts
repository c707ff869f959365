/**
 * A fleet with the merges plugin for its tests (not used by the plugin): auth, mail and merges on,
 * with the options given; helpers to queue and to wait for entries to finish.
 */
import { type Plugins, startFleet, type TestFleet, type TestLike, waitFor } from '../../test/kit/index.js';
import type { MergeEntry } from './entry-view.js';

export const FINAL = ['merged', 'conflict', 'failed', 'refused', 'cancelled', 'pr_open'];

export interface QueueFleet {
  fleet: TestFleet;
  lead: string;
  enqueue(body: Record<string, unknown>, token?: string): Promise<MergeEntry>;
  get(id: string, token?: string): Promise<MergeEntry>;
  /** Wait until every one of these entries is in a final state; returns them in the same order. */
  settle(ids: string[], timeoutMs?: number): Promise<MergeEntry[]>;
}

export async function queueFleet(
  t: TestLike,
  options: Record<string, unknown>,
  more: { plugins?: Plugins; dataDir?: string; storage?: TestFleet['storage'] } = {},
): Promise<QueueFleet> {
  const fleet = await startFleet(t, {
    plugins: { auth: true, mail: true, merges: { pollSeconds: 0.2, ...options }, ...more.plugins },
    config: { server: { rateLimit: { max: 1_000_000 } }, ...(more.storage ? { storage: more.storage } : {}) },
    ...(more.dataDir ? { dataDir: more.dataDir } : {}),
  });
  const lead = (await fleet.register('lead', 'alpha', 'team-lead')).token;
  const get = async (id: string, token = lead) => {
    const response = await fleet.request('GET', `/merge-queue/${id}`, { token });
    if (response.status !== 200) throw new Error(`GET ${id}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as MergeEntry;
  };
  return {
    fleet,
    lead,
    async enqueue(body, token = lead) {
      const response = await fleet.request('POST', '/merge-queue', { token, body });
      if (response.status !== 201) throw new Error(`enqueue: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body as MergeEntry;
    },
    get,
    settle: (ids, timeoutMs = 60_000) =>
      waitFor(
        `entries ${ids.join(', ')} final`,
        async () => {
          const entries = await Promise.all(ids.map((id) => get(id)));
          return entries.every((entry) => FINAL.includes(entry.status)) ? entries : undefined;
        },
        timeoutMs,
        100,
      ),
  };
}
