import { readFileSync } from 'node:fs';

/** The fleet's version, from package.json. */
export const FLEET_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
