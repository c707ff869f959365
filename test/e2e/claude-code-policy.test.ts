/**
 * The fleet policy's PreToolUse hook in the real Claude Code (issue 11, item 3): the pinned `claude`
 * CLI against our scripted Messages API, with the hook settings the policy plugin gives its workers.
 * The scene is claude-code-policy-scene.ts; test/kit/claude-code.ts decides where it runs and when
 * it is skipped (only when the CLI is not installed, never in CI).
 */
import t from 'tap';
import { runClaudeCodeScene } from '../kit/claude-code.js';

await runClaudeCodeScene(t, {
  scene: new URL('./claude-code-policy-scene.ts', import.meta.url),
  title: 'the policy hook in real Claude Code',
});
