import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../core/config/load-config.js';
import type { FleetConfigInput } from '../../../core/config/types.js';
import { Kernel } from '../../../core/kernel/kernel.js';
import { createLogger } from '../../../core/log.js';

export interface BenchFleet {
  kernel: Kernel;
  url: string;
  adminKey: string;
  dataDir: string;
  /** Stop the fleet and remove its data dir. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Boot a real fleet in this process for a benchmark: SQLite in a temp dir, port 0, no log output,
 * and a rate limit too high to reach, so the figures measure the server and not the limiter.
 * The environment is ignored (env: {}) so a PORT or DB_PATH in the shell cannot leak in.
 */
export async function bootBenchFleet(
  plugins: FleetConfigInput['plugins'] = { auth: true, metrics: true },
): Promise<BenchFleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
  let closed: Promise<void> | undefined;
  try {
    const config = resolveConfig(
      {
        dataDir,
        server: { host: '127.0.0.1', port: 0, rateLimit: { max: 1_000_000_000 } },
        log: { level: 'silent' },
        plugins,
      },
      { env: {}, cwd: dataDir },
    );
    const kernel = await Kernel.boot({ config, log: createLogger({ level: 'silent' }) });
    return {
      kernel,
      url: kernel.url,
      adminKey: kernel.adminKey,
      dataDir,
      close() {
        closed ??= kernel.stop().finally(() => rmSync(dataDir, { recursive: true, force: true }));
        return closed;
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
