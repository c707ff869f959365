import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FleetConfig } from '../config/types.js';

/**
 * The tmux server of the fleet whose data dir this is: `claude-fleet-<8 hex digits>` from the
 * absolute data dir (through its symlinks when it exists), so fleets on different data dirs never
 * share windows or a status line, and every command that reads the same config finds the same one.
 */
export function defaultTmuxSocket(dataDir: string): string {
  let path = resolve(dataDir);
  try {
    path = realpathSync(path);
  } catch {
    // not created yet: the path as given
  }
  return `claude-fleet-${createHash('sha256').update(path).digest('hex').slice(0, 8)}`;
}

/**
 * The fleet's tmux socket: FLEET_TMUX_SOCKET, else the one the config names (`configured`, e.g.
 * `plugins.workers.tmux.socket`), else the one derived from the data dir.
 */
export function fleetTmuxSocket(config: Pick<FleetConfig, 'dataDir' | 'tmuxSocket'>, configured?: string): string {
  return config.tmuxSocket ?? configured ?? defaultTmuxSocket(config.dataDir);
}
