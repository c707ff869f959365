/**
 * The lease gate in the real Claude Code (issue 19, item 2): the pinned `claude` CLI against the
 * scripted model API, the policy plugin's hook, a real fleet with leases. The scene is
 * claude-code-lease-scene.ts; test/kit/claude-code.ts decides where it runs and when it is skipped.
 */
import t from 'tap';
import { runClaudeCodeScene } from '../kit/claude-code.js';

await runClaudeCodeScene(t, {
  scene: new URL('./claude-code-lease-scene.ts', import.meta.url),
  title: 'the lease gate in real Claude Code',
});
