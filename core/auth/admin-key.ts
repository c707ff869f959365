import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Read a secret from `<dataDir>/<file>`, creating it (mode 0600, random 32 bytes as hex) on first use.
 * `wx` makes creation exclusive, so two processes starting at once agree on one value.
 */
export function readOrCreateSecret(dataDir: string, file: string): string {
  const path = join(dataDir, file);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}

export const ADMIN_KEY_FILE = 'admin.key';
export const JWT_SECRET_FILE = 'jwt.secret';

/** The admin key: FLEET_ADMIN_KEY when given, else the one in the data dir. */
export function adminKeyPath(dataDir: string): string {
  return join(dataDir, ADMIN_KEY_FILE);
}

/** Compare a presented credential with the admin key in constant time. */
export function isAdminKey(presented: string, adminKey: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(adminKey);
  return a.length === b.length && timingSafeEqual(a, b);
}
