import type { AnyPlugin } from '../../core/plugin.js';
import { type Plugins, startFleet, type TestFleet } from './fleet.js';
import type { TestLike } from './test-like.js';

/** A fleet with auth, mail and tasks (or the given plugins), a rate limit the tests never reach. */
export function startCoordination(
  t: TestLike,
  options: { plugins?: Plugins; extraPlugins?: AnyPlugin[]; pluginDirs?: string[] } = {},
): Promise<TestFleet> {
  return startFleet(t, {
    plugins: options.plugins ?? { auth: true, mail: true, tasks: true },
    extraPlugins: options.extraPlugins,
    pluginDirs: options.pluginDirs,
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
}
