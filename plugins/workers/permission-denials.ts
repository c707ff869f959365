/** A tool call the agent was refused for want of permission: what it wanted to run, bounded. */
export interface PermissionDenial {
  tool: string;
  toolUseId: string | null;
  /** The tool's input as JSON, cut to INPUT_CHARS: enough to see what it wanted, never a whole file. */
  input: string;
}

const INPUT_CHARS = 500;
const MOST_DENIALS = 20;

/**
 * The permission denials of a Claude Code result line (`permission_denials[{tool_name,
 * tool_use_id, tool_input}]`). Claude Code ends such a turn as a success, so without this a worker
 * that could not run `touch` looked done and idle.
 */
export function permissionDenials(resultLine: string | undefined): PermissionDenial[] {
  if (!resultLine) return [];
  let value: unknown;
  try {
    value = JSON.parse(resultLine);
  } catch {
    return [];
  }
  const denials = (value as { permission_denials?: unknown }).permission_denials;
  if (!Array.isArray(denials)) return [];
  return denials.slice(0, MOST_DENIALS).flatMap((denial: unknown) => {
    if (typeof denial !== 'object' || denial === null) return [];
    const { tool_name: tool, tool_use_id: toolUseId, tool_input: input } = denial as Record<string, unknown>;
    if (typeof tool !== 'string') return [];
    const json = JSON.stringify(input ?? null) ?? 'null';
    return [
      {
        tool: tool.slice(0, 200),
        toolUseId: typeof toolUseId === 'string' ? toolUseId.slice(0, 200) : null,
        input: json.length > INPUT_CHARS ? `${json.slice(0, INPUT_CHARS - 1)}…` : json,
      },
    ];
  });
}
