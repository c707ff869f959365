import { clearScreenDown, createInterface, cursorTo, type Interface, moveCursor } from 'node:readline';

/** East Asian wide and fullwidth characters and most emoji take two columns. */
const WIDE = new RegExp(
  '[' +
    '\\u1100-\\u115F\\u2E80-\\u303E\\u3041-\\u33FF\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uA000-\\uA4CF\\uAC00-\\uD7A3' +
    '\\uF900-\\uFAFF\\uFE30-\\uFE4F\\uFF00-\\uFF60\\uFFE0-\\uFFE6' +
    '\\u{1F300}-\\u{1F64F}\\u{1F900}-\\u{1F9FF}\\u{20000}-\\u{3FFFD}' +
    ']',
  'u',
);

/** How many columns a line takes in a terminal (close enough to wrap typed text right). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += WIDE.test(char) ? 2 : 1;
  return width;
}

/**
 * The pane's terminal: transcript lines go out on stdout, and a person can type a line for the
 * agent at the bottom. readline draws what is being typed (the tty's own echo is off), so the
 * line appears once: as it is typed, then replaced by the transcript's `› ` line when entered.
 * Transcript lines that arrive while someone types go above the half-typed line, which is drawn
 * again below them. Once the window is closed, writes fail (EIO) and the terminal goes quiet: the
 * log has everything, and an unheard stdout error would end the host.
 */
export class PaneTerminal {
  readonly #out: NodeJS.WriteStream;
  readonly #in: NodeJS.ReadStream;
  #gone = false;
  #lines: Interface | undefined;

  constructor(output: NodeJS.WriteStream = process.stdout, input: NodeJS.ReadStream = process.stdin) {
    this.#out = output;
    this.#in = input;
    output.on('error', () => {
      this.#gone = true;
    });
  }

  /** Show one transcript line. */
  show(line: string): void {
    if (this.#gone) return;
    const typing = this.#lines;
    if (!typing || typing.line === '') {
      this.#out.write(line + '\n');
      return;
    }
    // Clear the half-typed line, print above it, draw it again where it was.
    moveCursor(this.#out, 0, -typing.getCursorPos().rows);
    cursorTo(this.#out, 0);
    clearScreenDown(this.#out);
    this.#out.write(line + '\n');
    // readline would move up by the rows it drew before; those rows now hold the transcript.
    (typing as unknown as { prevRows: number }).prevRows = 0;
    typing.prompt(true);
  }

  /**
   * Hand each line typed in the pane (a tty only) to `onLine`, after erasing its echo: the caller
   * shows it in the transcript's own words.
   */
  readLines(onLine: (text: string) => void): void {
    if (!this.#in.isTTY || this.#gone) return;
    const lines = createInterface({ input: this.#in, output: this.#out, terminal: true, prompt: '' });
    this.#lines = lines;
    // The window closed: reading its tty fails (EIO). readline re-emits that on its interface, and
    // stdin keeps a listener of its own for after readline lets go. Input from the fleet goes on.
    lines.on('error', () => undefined);
    this.#in.on('error', () => closeQuietly(lines));
    lines.on('close', () => {
      if (this.#lines === lines) this.#lines = undefined;
    });
    // In raw mode Ctrl-C and Ctrl-Z reach readline, not the process: the worker is not ended or
    // suspended by a key, and the person is told how to leave.
    lines.on('SIGINT', () => this.show('\x1b[2m(Ctrl-C does not stop this worker: detach with Ctrl-b d)\x1b[0m'));
    lines.on('SIGTSTP', () => undefined);
    lines.on('line', (text) => {
      if (!this.#gone) {
        // readline left the typed text on screen and moved below it: take it away again.
        const columns = this.#out.columns || 80;
        const rows = Math.floor(displayWidth(text) / columns) + 1;
        moveCursor(this.#out, 0, -rows);
        cursorTo(this.#out, 0);
        clearScreenDown(this.#out);
      }
      if (text.trim()) onLine(text);
    });
  }

  /** Stop reading the tty (it would keep the process, and so the window, alive after the agent is gone). */
  close(): void {
    if (this.#lines) closeQuietly(this.#lines);
    this.#in.pause();
    (this.#in as unknown as { unref?: () => void }).unref?.();
  }
}

/**
 * Close readline on a tty that may be gone: leaving raw mode on a hung-up tty throws (EIO), and
 * thrown from an 'error' listener it would end the host before it records its agent's exit.
 */
function closeQuietly(lines: Interface): void {
  try {
    lines.close();
  } catch {
    // The window is closed: there is no terminal mode left to restore.
  }
}
