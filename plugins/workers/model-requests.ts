import { apiTokens, type TokenCounts } from './usage.js';

/** One request the agent made to its model, as its assistant lines report it. */
export interface ModelRequest {
  messageId: string;
  model: string;
  tokens: TokenCounts;
}

/** How many message ids a worker remembers: a request's lines all come within a few lines of each other. */
const REMEMBERED = 256;
const MAX_ID = 200;

/**
 * The message ids of a worker's run seen so far, oldest forgotten first. Claude Code writes one
 * assistant line per content block of a response, each with the same message id and usage: a
 * request is counted at its first line only.
 */
export class SeenMessages {
  readonly #ids = new Set<string>();

  /** True the first time an id is seen. */
  firstTime(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > REMEMBERED) this.#ids.delete(this.#ids.values().next().value as string);
    return true;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The model requests among a batch of log lines: assistant lines with a message id and usage, each id
 * once. Only lines that start as an assistant message are parsed (the parser has read the rest), so
 * the cost stays off every other line. Untrusted: anything malformed is skipped.
 */
export function modelRequests(lines: readonly { text: string }[], seen: SeenMessages): ModelRequest[] {
  const requests: ModelRequest[] = [];
  for (const { text } of lines) {
    if (!text.startsWith('{"type":"assistant"')) continue;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      continue;
    }
    if (!isObject(line) || !isObject(line.message)) continue;
    const { id, model, usage } = line.message;
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID) continue;
    const tokens = apiTokens(usage);
    if (!tokens || !seen.firstTime(id)) continue;
    requests.push({
      messageId: id,
      model: typeof model === 'string' && model !== '' ? model.slice(0, MAX_ID) : 'unknown',
      tokens,
    });
  }
  return requests;
}
