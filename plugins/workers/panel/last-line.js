// @ts-check
// The overview's "last line" of a worker from one raw line of its log (a worker_output event): what the board
// shows at a glance (the server's board renders the log's tail with core's Transcript; this reads only the two
// kinds of line that change it, so 100 lines a second per worker stay cheap: most lines are not even parsed).

const MAX_CHARS = 160;
// eslint-disable-next-line no-control-regex -- ANSI escapes are control characters by definition
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Cut to what a table cell shows. */
function cut(/** @type {string} */ text) {
  const flat = text.replace(ANSI, '').trim();
  return flat.length > MAX_CHARS ? `${flat.slice(0, MAX_CHARS - 1)}…` : flat;
}

/** The last non-blank line of a text. */
function lastOf(/** @type {string} */ text) {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.length > 0 ? lines[lines.length - 1] : undefined;
}

/**
 * Whether a raw line may move the last line (cheap: no parse). Tool results and system lines never do.
 * @param {string} line
 * @param {'ndjson' | 'text'} [format]
 */
export function mayMoveLastLine(line, format = 'ndjson') {
  if (typeof line !== 'string' || line.trim() === '') return false;
  if (format === 'text' || line.trimStart()[0] !== '{') return true;
  return line.includes('"assistant"') || line.includes('"fleet_input"');
}

/**
 * What a raw log line says the worker is doing, or undefined when the line changes nothing (tool results,
 * system lines, results: the board's last line skips them too).
 * @param {string} line
 * @param {'ndjson' | 'text'} [format]
 * @returns {string | undefined}
 */
export function lastLineOf(line, format = 'ndjson') {
  if (typeof line !== 'string' || line.trim() === '') return undefined;
  const first = line.trimStart()[0];
  if (format === 'text' || first !== '{') return cut(lastOf(line) ?? line);
  // Only the agent's own words, its tool calls and the inputs it was given move the last line.
  if (!mayMoveLastLine(line, format)) return undefined;
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return cut(line);
  }
  if (message?.type === 'fleet_input' && typeof message.text === 'string') {
    const text = lastOf(message.text);
    return text === undefined ? undefined : cut(`› ${text}`);
  }
  if (message?.type !== 'assistant') return undefined;
  const content = message.message?.content;
  if (typeof content === 'string') return lastOf(content) === undefined ? undefined : cut(lastOf(content) ?? '');
  if (!Array.isArray(content)) return undefined;
  /** @type {string | undefined} */
  let shown;
  for (const block of content) {
    if (block?.type === 'text' && typeof block.text === 'string') shown = lastOf(block.text) ?? shown;
    else if (block?.type === 'tool_use' && typeof block.name === 'string') shown = `→ ${block.name}`;
  }
  return shown === undefined ? undefined : cut(shown);
}
