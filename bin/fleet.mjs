#!/usr/bin/env node
// The `fleet` command. TypeScript sources run through tsx's loader; no build step.
// `fleet mcp` takes a fast path: Claude Code starts one bridge per worker, so when the prebuilt
// bundle (scripts/build-bridge.mjs) is newer than all its sources it runs without the loader.
import { existsSync, readFileSync, statSync } from 'node:fs';

const args = process.argv.slice(2);
const dist = new URL('../dist/', import.meta.url);

function freshBridge() {
  try {
    const bundle = new URL('fleet-mcp.mjs', dist);
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL('fleet-mcp.inputs.json', dist), 'utf8'));
    return inputs.every((file) => existsSync(file) && statSync(file).mtimeMs <= built) ? bundle : undefined;
  } catch {
    return undefined;
  }
}

const bridge = args[0] === 'mcp' && args.length === 1 ? freshBridge() : undefined;
if (bridge) {
  const { runBridge } = await import(bridge.href);
  process.exitCode = await runBridge();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../core/cli/main.ts');
  process.exitCode = await main(args);
}
