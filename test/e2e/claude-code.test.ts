/**
 * The real Claude Code end-to-end test: the pinned `claude` CLI runs as a fleet worker in a tmux
 * pane against our scripted Messages API (test/fixtures/model-api). The scene is
 * claude-code-scene.ts; test/kit/claude-code.ts decides where it runs (a private network namespace
 * when it can) and when it is skipped (only when the CLI is not installed, never in CI).
 */
import t from 'tap';
import { runClaudeCodeScene } from '../kit/claude-code.js';

await runClaudeCodeScene(t, {
  scene: new URL('./claude-code-scene.ts', import.meta.url),
  title: 'real Claude Code in a fleet worker',
});
