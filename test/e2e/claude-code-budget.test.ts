/**
 * Budgets with the real Claude Code: a `claude` worker over its token budget gets its next tool call
 * denied by the fleet's PreToolUse hook (naming the budget) and is paused with reason budget. The scene
 * is claude-code-budget-scene.ts; test/kit/claude-code.ts decides where it runs and when it is skipped
 * (only when the CLI is not installed, never in CI).
 */
import t from 'tap';
import { runClaudeCodeScene } from '../kit/claude-code.js';

await runClaudeCodeScene(t, {
  scene: new URL('./claude-code-budget-scene.ts', import.meta.url),
  title: 'budget: a real Claude Code worker over its token budget is denied its next tool call and paused',
  timeoutMs: 240_000,
});
