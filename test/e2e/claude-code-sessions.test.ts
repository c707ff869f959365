/**
 * Sessions with the real Claude Code: the pinned `claude` CLI as a fleet worker against our scripted
 * Messages API; one trim + continue, and the token numbers matching what the CLI reported. The scene
 * is claude-code-sessions-scene.ts; test/kit/claude-code.ts decides where it runs and when it is
 * skipped (only when the CLI is not installed, never in CI).
 */
import t from 'tap';
import { runClaudeCodeScene } from '../kit/claude-code.js';

await runClaudeCodeScene(t, {
  scene: new URL('./claude-code-sessions-scene.ts', import.meta.url),
  title: 'sessions: trim and continue a real Claude Code worker',
  timeoutMs: 300_000,
});
