import { setTimeout as sleep } from 'node:timers/promises';
import { bridgeCredentials } from './bridge-auth.js';
import { BridgeError, type BridgeErrorKind } from './bridge-error.js';
import { FleetBridge } from './stdio-bridge.js';
import { FLEET_VERSION } from '../version.js';

/** A fleet that is restarting gets a moment to listen again before the bridge gives up. */
const UNREACHABLE_RETRIES = 3;
const RETRY_PAUSE_MS = 500;

/** What to do about it, for the person reading Claude Code's MCP log. */
const ADVICE: Partial<Record<BridgeErrorKind, string>> = {
  unreachable: 'is it running (`fleet up`)? FLEET_URL says where to look',
  'key-refused':
    "it is another fleet's key: set FLEET_DATA_DIR to this fleet's data dir, or run `fleet mcp install` again",
};

/**
 * `fleet mcp` itself: decide credentials, make one real request to the fleet, and serve over
 * stdio. When it cannot work it prints one line saying why to stderr and exits 1: Claude Code
 * reports only CONNECTION_CLOSED, but shows the server's stderr in `claude --debug` and its MCP logs.
 * Also the entry of the prebuilt bundle bin/fleet.mjs runs directly, so Claude Code, which starts
 * one bridge per worker, does not wait for the TypeScript loader.
 */
export async function runBridge(env: Record<string, string | undefined> = process.env): Promise<number> {
  let bridge: FleetBridge;
  try {
    bridge = new FleetBridge(bridgeCredentials(env));
    for (let attempt = 1; ; attempt++) {
      try {
        await bridge.check();
        break;
      } catch (error) {
        if (!(error instanceof BridgeError && error.kind === 'unreachable') || attempt >= UNREACHABLE_RETRIES)
          throw error;
        await sleep(RETRY_PAUSE_MS);
      }
    }
  } catch (error) {
    const advice = error instanceof BridgeError ? ADVICE[error.kind] : undefined;
    process.stderr.write(`fleet mcp: ${(error as Error).message}${advice ? `; ${advice}` : ''}\n`);
    return 1;
  }
  await bridge.serve(FLEET_VERSION);
  return 0;
}
