import { join } from 'node:path';

/** The checkout's root. */
export const REPO_ROOT = join(import.meta.dirname, '../..');
/** The `fleet` CLI. */
export const FLEET_BIN = join(REPO_ROOT, 'bin/fleet.mjs');
/** The scripted stand-in for Claude Code that worker tests run as `claude`. */
export const FAKE_AGENT = join(REPO_ROOT, 'test/fixtures/fake-agent.mjs');
