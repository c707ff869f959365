import { fileURLToPath } from 'node:url';

/** The hook script: plain JavaScript, started by Node directly (no loader), before every tool call. */
export const PRE_TOOL_USE_HOOK = fileURLToPath(new URL('./hook/pre-tool-use.mjs', import.meta.url));

/**
 * Seconds the hook needs beyond the approval timeout: the decision request (10 s by default), the
 * hook's grace past an approval's expiry (5 s) and Node's start, with room to spare. Claude Code
 * kills a hook at its `timeout`, so this must be longer than anything the hook waits for.
 */
export const HOOK_TIMEOUT_MARGIN_SECONDS = 30;

export interface PolicyHookOptions {
  /** How long an `ask` may wait for a lead; the hook's timeout is longer. */
  approvalTimeoutSeconds: number;
  /** The program the hook runs (default: this Node). Tests point it elsewhere (a hook that crashes). */
  command?: string;
  /** Its arguments (default: the hook script and the approval timeout). */
  args?: string[];
}

/**
 * The Claude Code settings (`--settings`) that put the fleet's PreToolUse hook on every tool call of
 * a worker. What the pinned Claude Code (2.1.330) does, found with the real CLI against the scripted
 * model API (test/e2e/claude-code-policy.test.ts keeps proving it; plugins/policy/hook/README-hook.md
 * has the evidence):
 *  - `command` + `args` is the exec form: `command` is spawned directly with `args`, no shell, so
 *    paths with spaces or quotes need no quoting. Without `args`, `command` goes through bash.
 *  - Without `onFailure`, a hook that exits 1 (or any code but 0 and 2), is killed, cannot start, times
 *    out, or prints JSON that fails validation is a non-blocking error: the TOOL CALL RUNS (fail open).
 *  - `onFailure: "block"` turns each of those into a block (the model sees "... failed; blocking
 *    because onFailure is \"block\"" or "... timed out; ..."). We always set it.
 *  - Text on stdout that is not JSON, with exit 0, is not a failure even with `onFailure: "block"`:
 *    the call runs. So the hook itself must never print anything but its JSON answer; it fails closed
 *    by answering `deny` whenever the fleet does not give a clear decision.
 *  - A `deny` answer (JSON, exit 0) and exit 2 (stderr as the reason) both block; the JSON's reason
 *    reaches the model verbatim ("PreToolUse:Bash hook error: <reason>"), exit 2's after the command
 *    line, so the hook answers JSON and keeps exit 2 for when stdout cannot be written.
 *  - `disableAllHooks: true` in any settings source Claude Code reads (user, project `.claude/
 *    settings.json`, local `.claude/settings.local.json`, even written by the agent mid-session)
 *    turns this hook off. `--setting-sources ''` (see the guard's settingSources) keeps those files
 *    out; the `--settings` file itself is read once at start.
 */
export function policyHookSettings(options: PolicyHookOptions): Record<string, unknown> {
  const approval = Math.max(1, Math.ceil(options.approvalTimeoutSeconds));
  return {
    hooks: {
      PreToolUse: [
        {
          matcher: '*',
          hooks: [
            {
              type: 'command',
              command: options.command ?? process.execPath,
              args: options.args ?? [PRE_TOOL_USE_HOOK, `--approval-timeout-seconds=${approval}`],
              timeout: approval + HOOK_TIMEOUT_MARGIN_SECONDS,
              onFailure: 'block',
            },
          ],
        },
      ],
    },
  };
}
