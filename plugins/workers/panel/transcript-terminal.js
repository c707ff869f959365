// @ts-check
// A worker's transcript in a terminal, as its tmux pane shows it: rendered by the server from the worker's log
// (GET /orchestrate/transcript/:handle, never from the pane: looking never pauses or disturbs the agent), its
// scrollback the log's last page (and earlier pages on demand), then the live tail: each worker_output event
// of this worker asks for what follows the cursor, one request at a time, so a fast writer costs a request per
// round trip, not one per line.
import { Terminal } from '@xterm/xterm';
import { Button, html, useEffect, useFleet, useRef, useState } from 'fleet-dashboard';

const SCROLLBACK = 200_000;
/** The least time between two live-tail requests (a worker writing 100 lines a second is still one a beat). */
const TAIL_GAP_MS = 60;
const FONT_SIZE = 13;
const FONT_FAMILY = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

const THEME = {
  background: '#101418',
  foreground: '#d8dee4',
  cursor: '#101418',
  black: '#1b1f23',
  brightBlack: '#6a737d',
};

/**
 * @param {{ handle: string }} props
 */
export function TranscriptTerminal({ handle }) {
  const fleet = useFleet();
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const [status, setStatus] = useState(
    /** @type {{ start: number | null, error?: string, loading: boolean }} */ ({
      start: null,
      loading: true,
    }),
  );
  /** @type {{ current: (() => Promise<void>) | null }} */
  const loadEarlier = useRef(null);

  useEffect(() => {
    const element = /** @type {HTMLDivElement & { terminal?: Terminal, transcriptText?: () => string }} */ (
      box.current
    );
    if (!element) return;
    const term = new Terminal({
      convertEol: true,
      disableStdin: true,
      scrollback: SCROLLBACK,
      fontSize: FONT_SIZE,
      fontFamily: FONT_FAMILY,
      cursorBlink: false,
      theme: THEME,
    });
    term.open(element);
    // The tests' and a person's handle on the text: the whole buffer, scrollback included, as plain lines.
    element.terminal = term;
    element.transcriptText = () => {
      const buffer = term.buffer.active;
      const lines = [];
      for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n').replace(/\n+$/, '');
    };
    const fit = () => fitTerminal(term, element);
    fit();
    const observer = new ResizeObserver(() => fit());
    observer.observe(element);

    const path = `/orchestrate/transcript/${encodeURIComponent(handle)}`;
    /** Every line written, so an earlier page can be put before them (a terminal only appends). */
    /** @type {string[]} */
    let held = [];
    /** @type {number | null} */
    let cursor = null;
    let start = 0;
    let dirty = false;
    let busy = false;
    let closed = false;
    let newestOffset = -1;
    let lastFetch = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;

    const write = (/** @type {string[]} */ lines) => {
      if (lines.length === 0) return;
      held = held.concat(lines);
      term.write(lines.join('\n') + '\n');
      element.dataset.lines = String(held.length);
    };

    const pump = async () => {
      if (closed || busy || cursor === null || !dirty) return;
      const wait = lastFetch + TAIL_GAP_MS - Date.now();
      if (wait > 0) {
        timer ??= setTimeout(() => {
          timer = undefined;
          void pump();
        }, wait);
        return;
      }
      busy = true;
      dirty = false;
      lastFetch = Date.now();
      try {
        const page = await fleet.api('GET', `${path}?cursor=${cursor}`);
        if (closed) return;
        write(page.lines);
        cursor = page.cursor;
        element.dataset.cursor = String(cursor);
        // A page stops at its size: more was written than it read.
        if (newestOffset >= page.cursor) dirty = true;
      } catch (/** @type {any} */ failure) {
        if (!closed) setStatus((previous) => ({ ...previous, error: String(failure?.message ?? failure) }));
      } finally {
        busy = false;
        if (dirty) void pump();
      }
    };

    // Events first, then the load: lines written while it loads are asked for after it.
    const unsubscribe = fleet.subscribe(['worker_output'], (/** @type {any} */ event) => {
      if (event.handle !== handle) return;
      if (typeof event.offset === 'number') {
        // A line the last page already had (it came while that page was being read) asks for nothing.
        if (cursor !== null && event.offset < cursor) return;
        newestOffset = Math.max(newestOffset, event.offset);
      }
      dirty = true;
      void pump();
    });
    const unResync = fleet.onResync(() => {
      dirty = true;
      void pump();
    });

    term.write('\x1b[?25l'); // no cursor: nobody types here
    fleet.api('GET', path).then(
      (/** @type {any} */ page) => {
        if (closed) return;
        write(page.lines);
        cursor = page.cursor;
        start = page.start;
        element.dataset.cursor = String(cursor);
        element.dataset.start = String(start);
        setStatus({ start, loading: false });
        if (newestOffset >= page.cursor) dirty = true;
        void pump();
      },
      (/** @type {any} */ failure) => {
        if (!closed) setStatus({ start: null, loading: false, error: String(failure?.message ?? failure) });
      },
    );

    loadEarlier.current = async () => {
      if (start <= 0) return;
      const page = await fleet.api('GET', `${path}?before=${start}`);
      if (closed) return;
      start = page.start;
      held = [...page.lines, ...held];
      term.reset();
      term.write('\x1b[?25l' + held.join('\n') + '\n');
      element.dataset.lines = String(held.length);
      element.dataset.start = String(start);
      setStatus((previous) => ({ ...previous, start }));
    };

    return () => {
      closed = true;
      clearTimeout(timer);
      unsubscribe();
      unResync();
      observer.disconnect();
      delete element.terminal;
      delete element.transcriptText;
      term.dispose();
    };
  }, [fleet, handle]);

  return html`<div class="wk-terminal-frame">
    ${
      status.start !== null && status.start > 0
        ? html`<div class="wk-earlier">
            <span class="wk-dim">The first ${formatBytes(status.start)} of the log are not shown.</span>
            <${Button} small kind="ghost" data-action="load-earlier" onClick=${() => loadEarlier.current?.()}
              >Load earlier<//
            >
          </div>`
        : null
    }
    ${status.error ? html`<div class="wk-terminal-error" role="alert">${status.error}</div>` : null}
    <div class="wk-terminal" data-terminal=${handle} data-loading=${status.loading ? 'true' : 'false'} ref=${box}></div>
  </div>`;
}

/** Columns and rows that fit the element, from the size of a cell of the terminal's font (measured once). */
function fitTerminal(/** @type {Terminal} */ term, /** @type {HTMLElement} */ element) {
  const width = element.clientWidth;
  const height = element.clientHeight;
  if (width === 0 || height === 0) return;
  const cell = cellSize(element);
  const cols = Math.max(20, Math.floor((width - 14) / cell.width));
  const rows = Math.max(5, Math.floor(height / cell.height));
  if (cols !== term.cols || rows !== term.rows) term.resize(cols, rows);
}

/** @type {{ width: number, height: number } | undefined} */
let measured;

/** A character cell of the terminal's font: 100 characters measured in a hidden span. */
function cellSize(/** @type {HTMLElement} */ element) {
  if (measured) return measured;
  const probe = document.createElement('span');
  probe.textContent = 'W'.repeat(100);
  probe.style.cssText =
    `position:absolute;visibility:hidden;white-space:pre;font-size:${FONT_SIZE}px;line-height:normal;` +
    `font-family:${FONT_FAMILY}`;
  element.appendChild(probe);
  const box = probe.getBoundingClientRect();
  probe.remove();
  measured = box.width > 0 ? { width: box.width / 100, height: Math.ceil(box.height) } : undefined;
  return measured ?? { width: FONT_SIZE * 0.6, height: FONT_SIZE * 1.2 };
}

function formatBytes(/** @type {number} */ bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
