/**
 * Refused tool calls in Claude Code's stream-json: which tool results say the tool never ran because
 * permission was not granted or a PreToolUse hook denied it, and why. The transcript shows those as
 * a refusal (`✗ refused Bash: …`), not as one more tool error.
 *
 * What Claude Code writes for one (recorded from 2.1.330 in test/workers/fixtures/refusals.ndjson):
 * - a call that needs approval in `-p`: a `system`/`permission_denied` line (tool_name, tool_use_id,
 *   message), then an is_error tool_result with the same message;
 * - a PreToolUse hook's deny (JSON `permissionDecision: "deny"`, or exit code 2 with the reason on
 *   stderr): an is_error tool_result `PreToolUse:<Tool> hook error: [<command>]: <reason>` (the
 *   bracketed command only for exit 2);
 * - in both, the user line's `tool_result_meta[{id, permission_decision: {decision: "reject",
 *   source}}]`, and the turn's result lists the call in `permission_denials`.
 * Older versions and the permission prompt tool say it in the text only ("Permission to use Bash has
 * been denied.", "Claude requested permissions to use Bash, but you haven't granted it yet.").
 */

/** One refused call: the tool and, in the words of whoever refused it, why. */
export interface Refusal {
  tool: string;
  reason: string;
  /** A PreToolUse hook refused it (the fleet's policy, or the project's own hook). */
  byHook: boolean;
}

/** `PreToolUse:Bash hook error: ` and, after an exit-2 hook, the `[command]: ` Claude Code puts before its stderr. */
const HOOK_DENIAL = /^PreToolUse:(\S+) hook error: (?:\[(?:[^[\]]|\[[^[\]]*\])*\]: )?/;

/** Claude Code's wordings of a permission not granted; the first group, when there, is the tool. */
const PERMISSION_DENIALS = [
  /^Permission to use (\S+?)(?: with command .*)? has been denied/s,
  /^Permission to (?:edit|read|write) .* has been denied/s,
  /^Claude requested permissions? to use (\S+?), but you haven't granted it yet/s,
  /^Claude requested permissions? to .* but you haven't granted it yet/s,
];

/** The permission decisions of a user line's tool_result_meta, by tool_use id. */
export function rejectedIds(meta: unknown): Map<string, { source: string | undefined }> {
  const rejected = new Map<string, { source: string | undefined }>();
  if (!Array.isArray(meta)) return rejected;
  for (const entry of meta as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, permission_decision: decision } = entry as { id?: unknown; permission_decision?: unknown };
    if (typeof id !== 'string' || typeof decision !== 'object' || decision === null) continue;
    const { decision: verdict, source } = decision as { decision?: unknown; source?: unknown };
    if (verdict === 'reject') rejected.set(id, { source: typeof source === 'string' ? source : undefined });
  }
  return rejected;
}

/**
 * The refusal an error tool result reports, if it is one. `tool` is the call's tool when the
 * transcript saw the call; `rejected` is its entry in the line's tool_result_meta, when rejected.
 */
export function refusalOf(
  text: string,
  tool: string | undefined,
  rejected: { source: string | undefined } | undefined,
): Refusal | undefined {
  const hook = HOOK_DENIAL.exec(text);
  if (hook) return { tool: tool ?? hook[1]!, reason: text.slice(hook[0].length).trim(), byHook: true };
  const permission = PERMISSION_DENIALS.map((pattern) => pattern.exec(text)).find((match) => match !== null);
  if (!permission && !rejected) return undefined;
  return {
    tool: tool ?? permission?.[1] ?? 'a tool',
    reason: text.trim(),
    byHook: rejected?.source === 'hook',
  };
}

/** The calls a result line lists in `permission_denials`: their tool, id and input. */
export function resultDenials(denials: unknown): { tool: string; id: string | undefined; input: unknown }[] {
  if (!Array.isArray(denials)) return [];
  return (denials as unknown[]).flatMap((denial) => {
    if (typeof denial !== 'object' || denial === null) return [];
    const { tool_name: tool, tool_use_id: id, tool_input: input } = denial as Record<string, unknown>;
    return typeof tool === 'string' ? [{ tool, id: typeof id === 'string' ? id : undefined, input }] : [];
  });
}
