import { bridgeCredentials } from './bridge-auth.js';
import { FleetBridge } from './stdio-bridge.js';
import { FLEET_VERSION } from '../version.js';

/**
 * `fleet mcp` itself: decide credentials (or say what is missing, exit 1) and serve over stdio.
 * Also the entry of the prebuilt bundle bin/fleet.mjs runs directly, so Claude Code, which starts
 * one bridge per worker, does not wait for the TypeScript loader.
 */
export async function runBridge(env: Record<string, string | undefined> = process.env): Promise<number> {
  let credentials;
  try {
    credentials = bridgeCredentials(env);
  } catch (error) {
    process.stderr.write(`fleet mcp: ${(error as Error).message}\n`);
    return 1;
  }
  await new FleetBridge(credentials).serve(FLEET_VERSION);
  return 0;
}
