/**
 * Usage limits with the real Claude Code: a `claude` worker whose first model request is refused with the
 * five-hour usage limit is parked, holds spawns, and resumes by itself after the (short) reset with its
 * conversation intact. The scene is claude-code-quota-scene.ts; test/kit/claude-code.ts decides where it
 * runs and when it is skipped (only when the CLI is not installed, never in CI).
 */
import t from 'tap';
import { runClaudeCodeScene } from '../kit/claude-code.js';

await runClaudeCodeScene(t, {
  scene: new URL('./claude-code-quota-scene.ts', import.meta.url),
  title: 'quota: a real Claude Code worker parked on a usage limit resumes after the reset',
  timeoutMs: 240_000,
});
