import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { adminKeyPath } from '../auth/admin-key.js';

/**
 * The operator's admin key when this machine has it: $FLEET_ADMIN_KEY, else <data dir>/admin.key
 * (data dir: the argument, $FLEET_DATA_DIR, or ./.fleet). Undefined when neither is there.
 */
export function findAdminKey(
  dataDir?: string,
  env: Record<string, string | undefined> = process.env,
): { key: string | undefined; path: string } {
  const path = adminKeyPath(resolve(dataDir ?? env.FLEET_DATA_DIR ?? '.fleet'));
  if (env.FLEET_ADMIN_KEY) return { key: env.FLEET_ADMIN_KEY, path };
  return { key: existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined, path };
}

/** Headers that present the admin key when there is one (status and the board then see fleet-wide counts). */
export function adminHeaders(dataDir?: string): Record<string, string> {
  const { key } = findAdminKey(dataDir);
  return key ? { authorization: `Bearer ${key}` } : {};
}
