/**
 * Turns what an agent writes into lines a person can read, in the pane and in `fleet logs`: the
 * input it was given (marked as the user's), assistant text, one line per tool call, tool results
 * as text (bounded), a refused call as a refusal (not as a tool error), results with cost, and the
 * session line once per session. Lines that are not JSON pass through unchanged.
 */
import { type Refusal, refusalOf, rejectedIds, resultDenials } from './transcript-refusals.js';

const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const CYAN = '\x1b[36m';
const GREEN = '\x1b[32m';
const MAGENTA = '\x1b[35m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

/**
 * The pane host's record of an input it gave the agent, a line of the agent's output.log in the
 * stream-json dialect: log readers ignore a type they do not know, so this record changes no state.
 */
export const INPUT_RECORD = 'fleet_input';

/** Where an input came from: the spawn's initial prompt, the fleet (send, restart), or a person typing in the pane. */
export type InputSource = 'prompt' | 'fleet' | 'pane';

/** The output.log line recording an input (one line: newlines in the text are escaped by JSON). */
export function inputRecord(source: InputSource, text: string, at = Date.now()): string {
  return JSON.stringify({ type: INPUT_RECORD, source, text, ts: new Date(at).toISOString() });
}

/** Tool results: how many lines, and how long a line, before the rest is summarised. */
const RESULT_LINES = 8;
const INPUT_LINES = 20;
const LINE_CHARS = 200;
/** Tool calls remembered within a turn (a runaway turn must not grow the map without bound). */
const MAX_CALLS = 1000;

function short(value: unknown, max = 100): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** The parts of a stream-json line the transcript shows; anything may be missing. */
interface StreamJsonLine {
  type?: string;
  subtype?: string;
  session_id?: string;
  model?: string;
  tools?: unknown[];
  /** A message's content; a string on a system/permission_denied line. */
  message?: { content?: unknown } | string;
  is_error?: boolean;
  isReplay?: boolean;
  total_cost_usd?: unknown;
  num_turns?: number;
  source?: string;
  text?: unknown;
  tool_name?: string;
  tool_use_id?: unknown;
  tool_result_meta?: unknown;
  permission_denials?: unknown;
}

interface ContentBlock {
  type?: string;
  text?: string;
  id?: unknown;
  tool_use_id?: unknown;
  name?: string;
  input?: unknown;
  content?: unknown;
  is_error?: boolean;
  isSynthetic?: boolean;
}

/** The content blocks of a message that are objects (a null in the array is skipped). */
const blocksOf = (message: StreamJsonLine): ContentBlock[] => {
  const content = contentOf(message);
  return Array.isArray(content)
    ? (content as unknown[]).filter((block): block is ContentBlock => typeof block === 'object' && block !== null)
    : [];
};

const contentOf = (message: StreamJsonLine): unknown =>
  typeof message.message === 'object' && message.message !== null ? message.message.content : undefined;

/** A tool result's content as text: a string, or its blocks' text (an image is named, not dumped). */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((block: ContentBlock) => {
      if (block?.type === 'text' && typeof block.text === 'string') return block.text;
      if (block?.type === 'image') return '[image]';
      return JSON.stringify(block);
    })
    .join('\n');
}

/** Text that is a JSON object or array, pretty-printed; anything else as it is. */
function prettyIfJson(text: string): string {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return text;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return text;
  }
}

/**
 * At most `maxLines` lines of at most LINE_CHARS characters, then a note of what was left out, so
 * a 5,000-line test log is a glance, not a flood.
 */
function bounded(text: string, maxLines: number): string[] {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const shown = lines.slice(0, maxLines).map((line) => (line.length > LINE_CHARS ? short(line, LINE_CHARS) : line));
  if (lines.length > maxLines) {
    const hidden = lines.slice(maxLines);
    const chars = hidden.reduce((sum, line) => sum + line.length + 1, 0);
    shown.push(`… ${hidden.length} more line${hidden.length === 1 ? '' : 's'} (${chars} chars) not shown`);
  }
  return shown;
}

/** Readable lines for a tool result: its text, JSON pretty-printed, long output cut with a note. */
export function renderToolResult(content: unknown, isError = false): string[] {
  const text = toolResultText(content);
  const lines = text.trim() === '' ? ['(no output)'] : bounded(prettyIfJson(text), RESULT_LINES);
  const color = isError ? RED : DIM;
  return lines.map((line, i) => `${color}${i === 0 ? `  ← ${isError ? 'error: ' : ''}` : '    '}${line}${RESET}`);
}

/** A refused tool call: the tool and why, set apart from tool errors (the call never ran). */
function renderRefusal(refusal: Refusal): string[] {
  const why = refusal.reason === '' ? ['(no reason given)'] : bounded(refusal.reason, RESULT_LINES);
  const head = `✗ refused ${refusal.tool}${refusal.byHook ? ' (hook)' : ''}: `;
  return why.map((line, i) => `${YELLOW}${i === 0 ? head : '    '}${line}${RESET}`);
}

/** An input given to the agent, marked as the person's (or the fleet's) words. */
function renderInput(text: string): string[] {
  return bounded(text, INPUT_LINES).map((line, i) => `${MAGENTA}${i === 0 ? '› ' : '  '}${line}${RESET}`);
}

/**
 * A transcript in the making. It remembers the session it has shown: Claude Code writes its
 * system/init line at every turn, and the transcript names the session once, and again only when
 * it changes.
 */
export class Transcript {
  #session: string | undefined;
  /** The tool of each call of this turn, by tool_use id (a tool result names only the id). */
  #tools = new Map<string, string>();
  /** The calls of this turn already shown as refused (Claude Code says so twice, or thrice). */
  #refused = new Set<string>();

  /** Readable lines for one line of the log; an unparsable line is shown as it is. */
  render(line: string): string[] {
    if (line.trim() === '') return [];
    let message: StreamJsonLine;
    try {
      message = JSON.parse(line) as StreamJsonLine;
    } catch {
      return [line];
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return [line];
    switch (message.type) {
      case INPUT_RECORD:
        return typeof message.text === 'string' ? renderInput(message.text) : [];
      case 'system':
        if (message.subtype === 'permission_denied') {
          if (typeof message.tool_use_id === 'string') this.#markRefused(message.tool_use_id);
          const reason = typeof message.message === 'string' ? message.message : '';
          return renderRefusal({ tool: message.tool_name ?? 'a tool', reason, byHook: false });
        }
        if (message.subtype !== 'init' || message.session_id === this.#session) return [];
        this.#session = message.session_id;
        return [
          `${DIM}● session ${message.session_id} · model ${message.model} · ` +
            `${Array.isArray(message.tools) ? message.tools.length : 0} tools${RESET}`,
        ];
      case 'assistant': {
        const content = contentOf(message);
        if (typeof content === 'string') return [`${BOLD}${content}${RESET}`];
        const out: string[] = [];
        for (const block of blocksOf(message)) {
          if (block.type === 'text' && block.text) out.push(`${BOLD}${block.text}${RESET}`);
          else if (block.type === 'tool_use') {
            if (typeof block.id === 'string' && typeof block.name === 'string' && this.#tools.size < MAX_CALLS)
              this.#tools.set(block.id, block.name);
            out.push(`${CYAN}→ ${block.name}${RESET} ${DIM}${short(block.input)}${RESET}`);
          }
        }
        return out;
      }
      case 'user': {
        // Claude Code's own echo of an input (--replay-user-messages) reads like the fleet's record.
        const content = contentOf(message);
        if (message.isReplay && typeof content === 'string') return renderInput(content);
        const rejected = rejectedIds(message.tool_result_meta);
        const out: string[] = [];
        for (const block of blocksOf(message)) {
          if (block.type === 'tool_result') out.push(...this.#toolResult(block, rejected));
          else if (block.type === 'text' && block.text && (block.isSynthetic || message.isReplay))
            out.push(...(message.isReplay ? renderInput(block.text) : [`${DIM}  ↳ ${short(block.text, 200)}${RESET}`]));
        }
        return out;
      }
      case 'result': {
        const color = message.is_error ? RED : GREEN;
        const cost = typeof message.total_cost_usd === 'number' ? ` · $${message.total_cost_usd.toFixed(4)}` : '';
        // A turn that ends as a success with refused calls did not do all it was asked: say so at its end,
        // and show the calls this transcript has not shown as refused (a tail that began after them).
        const denials = resultDenials(message.permission_denials);
        const unseen = denials.filter((denial) => denial.id === undefined || !this.#refused.has(denial.id));
        const out = unseen.flatMap((denial) =>
          renderRefusal({ tool: denial.tool, reason: short(denial.input, 200), byHook: false }),
        );
        const refused = denials.length > 0 ? ` ${YELLOW}✗ ${denials.length} refused${RESET}` : '';
        out.push(
          `${color}■ ${message.is_error ? 'error' : 'done'}${RESET}${refused} ` +
            `${DIM}(${message.num_turns ?? '?'} turns${cost})${RESET}`,
        );
        this.#tools.clear();
        this.#refused.clear();
        return out;
      }
      default:
        return [];
    }
  }

  #markRefused(id: string): void {
    if (this.#refused.size < MAX_CALLS) this.#refused.add(id);
  }

  /** A tool result: its text, or a refusal when the call was refused (once, however often Claude Code says so). */
  #toolResult(block: ContentBlock, rejected: Map<string, { source: string | undefined }>): string[] {
    const id = typeof block.tool_use_id === 'string' ? block.tool_use_id : undefined;
    if (block.is_error === true) {
      const tool = id === undefined ? undefined : this.#tools.get(id);
      const refusal = refusalOf(toolResultText(block.content), tool, id === undefined ? undefined : rejected.get(id));
      if (refusal) {
        if (id !== undefined && this.#refused.has(id)) return [];
        if (id !== undefined) this.#markRefused(id);
        return renderRefusal(refusal);
      }
    }
    return renderToolResult(block.content, block.is_error === true);
  }
}

/** Readable lines for one stream-json line on its own (no memory of the session shown before). */
export function renderStreamJsonLine(line: string): string[] {
  return new Transcript().render(line);
}

/** The last `max` transcript lines of a run of log lines (what came before a restart). */
export function transcriptTail(lines: readonly string[], max: number): string[] {
  const transcript = new Transcript();
  const out: string[] = [];
  for (const line of lines) out.push(...transcript.render(line));
  return out.slice(-max);
}

// eslint-disable-next-line no-control-regex -- ANSI escapes are control characters by definition
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** A transcript line without its colours (for a pipe or a file). */
export function plain(line: string): string {
  return line.replace(ANSI, '');
}
