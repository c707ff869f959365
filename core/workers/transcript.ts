/**
 * Turns what an agent writes into lines a person watching the pane can read: assistant text,
 * one line per tool call, results with cost. Raw text output passes through unchanged.
 */
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const CYAN = '\x1b[36m';
const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

function short(value: unknown, max = 100): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** The parts of a stream-json line the transcript shows; anything may be missing. */
interface StreamJsonLine {
  type?: string;
  subtype?: string;
  session_id?: string;
  model?: string;
  tools?: unknown[];
  message?: { content?: unknown };
  is_error?: boolean;
  total_cost_usd?: unknown;
  num_turns?: number;
}

interface ContentBlock {
  type?: string;
  text?: string;
  name?: string;
  input?: unknown;
  content?: unknown;
  is_error?: boolean;
}

const blocksOf = (message: StreamJsonLine): ContentBlock[] =>
  Array.isArray(message.message?.content) ? (message.message.content as ContentBlock[]) : [];

/** Readable lines for one stream-json line; an unparsable line is shown as it is. */
export function renderStreamJsonLine(line: string): string[] {
  let message: StreamJsonLine;
  try {
    message = JSON.parse(line) as StreamJsonLine;
  } catch {
    return [line];
  }
  if (typeof message !== 'object' || message === null) return [line];
  switch (message.type) {
    case 'system':
      if (message.subtype === 'init')
        return [
          `${DIM}● session ${message.session_id} · model ${message.model} · ` +
            `${message.tools?.length ?? 0} tools${RESET}`,
        ];
      return [];
    case 'assistant': {
      const out: string[] = [];
      for (const block of blocksOf(message)) {
        if (block.type === 'text' && block.text) out.push(`${BOLD}${block.text}${RESET}`);
        else if (block.type === 'tool_use')
          out.push(`${CYAN}→ ${block.name}${RESET} ${DIM}${short(block.input)}${RESET}`);
      }
      return out;
    }
    case 'user': {
      const out: string[] = [];
      for (const block of blocksOf(message)) {
        if (block.type === 'tool_result')
          out.push(`${DIM}  ← ${block.is_error ? 'error: ' : ''}${short(block.content, 120)}${RESET}`);
      }
      return out;
    }
    case 'result': {
      const color = message.is_error ? RED : GREEN;
      const cost = typeof message.total_cost_usd === 'number' ? ` · $${message.total_cost_usd.toFixed(4)}` : '';
      return [
        `${color}■ ${message.is_error ? 'error' : 'done'}${RESET} ` +
          `${DIM}(${message.num_turns ?? '?'} turns${cost})${RESET}`,
      ];
    }
    default:
      return [];
  }
}
