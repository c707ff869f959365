import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `scripts/build-native.sh` puts the crates' binaries. */
const CRATES = fileURLToPath(new URL('../../crates/', import.meta.url));

/** `FLEET_NATIVE=0` (or `false`, `off`) forces the TypeScript fallbacks. */
export function nativeDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.FLEET_NATIVE ?? '').trim().toLowerCase();
  return value === '0' || value === 'false' || value === 'off';
}

/** The platform parts of a napi-rs binary name, most likely first. */
function platformSuffixes(): string[] {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return [base];
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? [`${base}-gnu`, `${base}-musl`] : [`${base}-musl`, `${base}-gnu`];
}

/** The built `.node` file of a crate, if there is one for this platform. */
export function nativeBinaryPath(crate: string): string | undefined {
  for (const suffix of platformSuffixes()) {
    const path = join(CRATES, crate, `${crate}.${suffix}.node`);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export interface NativeLoad<T> {
  /** The module's exports, when the binary exists and loaded. */
  module?: T;
  /** The binary found, loaded or not. */
  path?: string;
  /** Why a binary that exists did not load. */
  error?: Error;
}

/**
 * Load a crate's binary regardless of FLEET_NATIVE (the parity tests need both sides); a loader
 * decides whether to use it. Never throws: a broken binary is reported, not fatal.
 */
export function loadNativeCrate<T>(crate: string): NativeLoad<T> {
  const path = nativeBinaryPath(crate);
  if (!path) return {};
  try {
    return { path, module: createRequire(import.meta.url)(path) as T };
  } catch (error) {
    return { path, error: error as Error };
  }
}
