import type { FleetConfigInput } from './types.js';

/** Typed identity: `export default defineConfig({...})` lets the compiler check fleet.config.ts. */
export function defineConfig(config: FleetConfigInput): FleetConfigInput {
  return config;
}
