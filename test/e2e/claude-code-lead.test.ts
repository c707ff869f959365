/**
 * A lead set up only with `fleet mcp install`, driven by the real Claude Code CLI against the
 * scripted Messages API. The scene is claude-code-lead-scene.ts; test/kit/claude-code.ts decides
 * where it runs and when it is skipped (only when the CLI is not installed, never in CI).
 */
import t from 'tap';
import { runClaudeCodeScene } from '../kit/claude-code.js';

await runClaudeCodeScene(t, {
  scene: new URL('./claude-code-lead-scene.ts', import.meta.url),
  title: 'a lead set up with fleet mcp install, in real Claude Code',
});
