/**
 * What the lifecycle needs from one line an agent wrote. Claude Code's stream-json gives it
 * exactly; raw text output only says the agent is alive and talking.
 */
export type AgentSignal =
  | { kind: 'init'; sessionId: string; model?: string }
  | { kind: 'activity' }
  | { kind: 'result'; isError: boolean; text: string | null; costUsd: number | null; usage: unknown; numTurns: number | null; sessionId?: string }
  | { kind: 'none' };

export function signalOfLine(line: string, format: 'ndjson' | 'text'): AgentSignal {
  if (format === 'text') return line.trim() ? { kind: 'activity' } : { kind: 'none' };
  let message: Record<string, any>;
  try {
    message = JSON.parse(line) as Record<string, any>;
  } catch {
    return { kind: 'none' };
  }
  if (message.type === 'system' && message.subtype === 'init' && typeof message.session_id === 'string') {
    return { kind: 'init', sessionId: message.session_id, model: message.model };
  }
  if (message.type === 'assistant' || message.type === 'user' || message.type === 'stream_event') return { kind: 'activity' };
  if (message.type === 'result') {
    return {
      kind: 'result',
      // The not-logged-in failure says subtype "success" with is_error true: trust is_error.
      isError: message.is_error === true,
      text: typeof message.result === 'string' ? message.result : Array.isArray(message.errors) ? message.errors.join('; ') : null,
      costUsd: typeof message.total_cost_usd === 'number' ? message.total_cost_usd : null,
      usage: message.usage ?? null,
      numTurns: typeof message.num_turns === 'number' ? message.num_turns : null,
      sessionId: message.session_id,
    };
  }
  return { kind: 'none' };
}
