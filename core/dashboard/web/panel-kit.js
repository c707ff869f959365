// `fleet-dashboard`: what a plugin's panel imports (the page's import map points that name here). Views are
// preact components written with htm's `html`; the Fleet object comes from a context the shell provides.
// See README.md beside this file for the panel API.
import { h, Fragment, createContext } from 'preact';
import { useState, useEffect, useMemo, useRef, useCallback, useReducer, useContext } from 'preact/hooks';
import { html } from 'htm/preact';
import { FleetApiError } from './fleet-client.js';

export { html, h, Fragment, useState, useEffect, useMemo, useRef, useCallback, useReducer, useContext };
export { FleetApiError };

/**
 * Link a panel's own stylesheet once (a file of its folder: the CSP allows the fleet's origin only), e.g.
 * `linkStylesheet(new URL('./panel.css', import.meta.url).href)` at the top of the panel's module.
 * @param {string} href
 */
export function linkStylesheet(href) {
  if ([...document.querySelectorAll('link[rel="stylesheet"]')].some((link) => link.getAttribute('href') === href))
    return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

/**
 * The same from a view, when it mounts.
 * @param {string} href
 */
export function usePanelStyles(href) {
  useEffect(() => linkStylesheet(href), [href]);
}

/** The shell provides the signed-in tab's Fleet object here. */
export const FleetContext = createContext(/** @type {any} */ (null));

/** The Fleet object of the signed-in tab (identity, api, subscribe, inbox, navigate, connection). */
export function useFleet() {
  const fleet = useContext(FleetContext);
  if (!fleet) throw new Error('useFleet(): no Fleet here (a panel view runs inside the dashboard shell)');
  return fleet;
}

/** The socket's state, re-rendering the caller when it changes: 'live' | 'resuming' | 'offline'. */
export function useConnection() {
  const fleet = useFleet();
  const [state, setState] = useState(fleet.connection);
  useEffect(() => {
    setState(fleet.connection);
    return fleet.onConnection(setState);
  }, [fleet]);
  return state;
}

/**
 * Live events of these types for the caller's team (`{ ...data, type, seq, ts }`), from mounting on.
 * `onEvent` may change every render: the latest one is called. Events arrive one by one; a view that
 * renders from them should batch (see `useFrameState`), never re-render per event at 50 workers.
 * @param {string[] | '*'} types
 * @param {(event: any) => void} onEvent
 */
export function useEvents(types, onEvent) {
  const fleet = useFleet();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = types === '*' ? '*' : types.join('\u0000');
  useEffect(() => fleet.subscribe(types, (/** @type {any} */ event) => handler.current(event)), [fleet, key]);
}

/**
 * GET `path` once (and again when it or `deps` change), and again when one of the `refreshOn` event types
 * arrives (at most once per ~250 ms however many arrive) or the socket had to resync. A falsy path waits.
 * Keeps the last data while reloading and after an error.
 * @param {string | null | undefined | false} path
 * @param {{ deps?: unknown[], refreshOn?: string[] }} [options]
 * @returns {{ data: any, error: FleetApiError | Error | undefined, loading: boolean, reload: () => void }}
 */
export function useApi(path, options = {}) {
  const fleet = useFleet();
  const deps = options.deps ?? [];
  const refreshOn = options.refreshOn ?? [];
  const [state, setState] = useState(() => ({ data: undefined, error: undefined, loading: Boolean(path) }));
  const generation = useRef(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const reload = useCallback(() => {
    if (!path) return;
    const mine = ++generation.current;
    setState((previous) => (previous.loading ? previous : { ...previous, loading: true }));
    fleet.api('GET', path).then(
      (/** @type {any} */ data) => {
        if (mounted.current && mine === generation.current) setState({ data, error: undefined, loading: false });
      },
      (/** @type {any} */ error) => {
        if (mounted.current && mine === generation.current)
          setState((previous) => ({ data: previous.data, error, loading: false }));
      },
    );
  }, [fleet, path, ...deps]);

  useEffect(() => {
    if (!path) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    reload();
  }, [reload]);

  const refreshKey = refreshOn.join('\u0000');
  useEffect(() => {
    if (!path) return;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const soon = () => {
      // Coalesce: the first event arms one reload 250 ms later; events meanwhile ride along with it.
      timer ??= setTimeout(() => {
        timer = undefined;
        reload();
      }, 250);
    };
    const unsubscribe = refreshOn.length > 0 ? fleet.subscribe(refreshOn, soon) : () => {};
    const unResync = fleet.onResync(soon);
    return () => {
      clearTimeout(timer);
      unsubscribe();
      unResync();
    };
  }, [fleet, reload, refreshKey]);

  return { ...state, reload };
}

/**
 * State updated at most once per animation frame: `update(fn)` queues `fn(previous) → next` and every
 * queued fn runs in order before the one render of that frame. For views fed by many events a second.
 * @template T
 * @param {T | (() => T)} initial
 * @returns {[T, (fn: (previous: T) => T) => void]}
 */
export function useFrameState(initial) {
  const [value, setValue] = useState(initial);
  const queue = useRef(/** @type {((previous: T) => T)[]} */ ([]));
  /** @type {{ current: (() => void) | undefined }} */
  const cancel = useRef(undefined);
  useEffect(() => () => cancel.current?.(), []);
  const update = useCallback((/** @type {(previous: T) => T} */ fn) => {
    queue.current.push(fn);
    if (cancel.current) return;
    cancel.current = nextFrame(() => {
      cancel.current = undefined;
      const fns = queue.current;
      queue.current = [];
      setValue((previous) => fns.reduce((value, each) => each(value), previous));
    });
  }, []);
  return [value, update];
}

/**
 * Run `fn` once at the next animation frame, or after 250 ms if no frame comes first (a hidden tab gets
 * no frames, and a tab hidden after the request would otherwise wait until it is shown). Returns the cancel.
 * @param {() => void} fn
 */
export function nextFrame(fn) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    fn();
  };
  const frame = requestAnimationFrame(run);
  const timer = setTimeout(run, 250);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

/** Re-render every `ms` (for "3m ago" labels); one timer per caller. */
export function useNow(ms = 15_000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

// ---- formatters -------------------------------------------------------------------------------------

/** Milliseconds since the epoch of a number (ms, or s when small) or an ISO string; NaN if neither. */
export function toMs(/** @type {number | string | Date | null | undefined} */ value) {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value < 1e12 ? value * 1000 : value;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return toMs(Number(value));
    return Date.parse(value);
  }
  return NaN;
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago"; "in 5m" for the future; "—" for nothing. */
export function timeAgo(/** @type {number | string | Date | null | undefined} */ msOrIso, now = Date.now()) {
  const ms = toMs(msOrIso);
  if (!Number.isFinite(ms)) return '—';
  const diff = now - ms;
  const span = formatSpan(Math.abs(diff));
  if (Math.abs(diff) < 5_000) return 'just now';
  return diff >= 0 ? `${span} ago` : `in ${span}`;
}

/** A duration: "42s", "5m", "3h 20m", "2d 4h". */
export function formatSpan(/** @type {number} */ ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const hours = Math.floor(m / 60);
  if (hours < 24) return m % 60 ? `${hours}h ${m % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

/** "$0.00", "<$0.01", "$3.42", "$1,204"; "—" for nothing. */
export function formatCost(/** @type {number | null | undefined} */ usd) {
  if (typeof usd !== 'number' || !Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0.00';
  if (Math.abs(usd) < 0.01) return usd < 0 ? '>-$0.01' : '<$0.01';
  if (Math.abs(usd) >= 1000) return `${usd < 0 ? '-' : ''}$${Math.round(Math.abs(usd)).toLocaleString('en-US')}`;
  return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(2)}`;
}

/** "950", "12.3k", "4.1M"; "—" for nothing. */
export function formatTokens(/** @type {number | null | undefined} */ n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1e6) return `${(n / 1e3).toFixed(abs < 1e4 ? 1 : 0)}k`.replace('.0k', 'k');
  if (abs < 1e9) return `${(n / 1e6).toFixed(abs < 1e7 ? 1 : 0)}M`.replace('.0M', 'M');
  return `${(n / 1e9).toFixed(1)}B`;
}

// ---- components -------------------------------------------------------------------------------------

/**
 * A small pill. `tone`: 'neutral' | 'ok' | 'info' | 'warning' | 'danger' | 'action'.
 * @param {{ tone?: string, title?: string, children?: any, [attr: string]: any }} props
 */
export function Badge({ tone = 'neutral', title, children, ...rest }) {
  return html`<span class=${`fd-badge fd-tone-${tone}`} title=${title} ...${rest}>${children}</span>`;
}

/**
 * A button. When `onClick` returns a promise the button shows it is busy until it settles (and is
 * disabled meanwhile, so a double click acts once). `kind`: 'default' | 'primary' | 'danger' | 'ghost'.
 * @param {{ onClick?: (event: Event) => unknown, kind?: string, disabled?: boolean, title?: string,
 *   type?: string, small?: boolean, children?: any, [attr: string]: any }} props
 */
export function Button({ onClick, kind = 'default', disabled, title, type = 'button', small, children, ...rest }) {
  const [busy, setBusy] = useState(false);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const click = (/** @type {Event} */ event) => {
    if (!onClick || busy) return;
    const result = onClick(event);
    if (result && typeof (/** @type {any} */ (result).then) === 'function') {
      setBusy(true);
      /** @type {Promise<unknown>} */ (result).then(
        () => mounted.current && setBusy(false),
        () => mounted.current && setBusy(false),
      );
    }
  };
  const classes = `fd-button fd-button-${kind}${small ? ' fd-button-small' : ''}${busy ? ' fd-busy' : ''}`;
  return html`<button
    type=${type}
    class=${classes}
    disabled=${disabled || busy}
    aria-busy=${busy ? 'true' : undefined}
    title=${title}
    onClick=${click}
    ...${rest}
  >
    ${children}
  </button>`;
}

/**
 * A dense table. `columns`: [{ key, label, render?(row) → vnode, align?: 'left'|'right'|'center', width?,
 * className? }]; `rows`: objects; `rowKey(row)` → a stable key; `rowProps(row)` → extra attributes of the
 * <tr> (a `data-worker`, an `onClick`); `empty`: what shows when there are no rows.
 * @param {{ columns: { key: string, label: any, render?: (row: any) => any, align?: string, width?: string,
 *   className?: string }[], rows: any[], rowKey?: (row: any) => string | number,
 *   rowProps?: (row: any) => Record<string, unknown>, empty?: any, className?: string }} props
 */
export function Table({ columns, rows, rowKey, rowProps, empty = 'Nothing here yet', className = '' }) {
  if (!rows || rows.length === 0) return html`<${Empty}>${empty}<//>`;
  return html`<div class="fd-table-wrap">
    <table class=${`fd-table ${className}`}>
      <thead>
        <tr>
          ${columns.map(
            (column) =>
              html`<th
                key=${column.key}
                class=${`${column.align ? `fd-align-${column.align}` : ''} ${column.className ?? ''}`}
                style=${column.width ? `width:${column.width}` : undefined}
              >
                ${column.label}
              </th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row, index) =>
            html`<tr key=${rowKey ? rowKey(row) : index} ...${rowProps ? rowProps(row) : {}}>
              ${columns.map(
                (column) =>
                  html`<td
                    key=${column.key}
                    class=${`${column.align ? `fd-align-${column.align}` : ''} ${column.className ?? ''}`}
                  >
                    ${column.render ? column.render(row) : formatCell(row[column.key])}
                  </td>`,
              )}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function formatCell(/** @type {unknown} */ value) {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The "nothing here" box.
 * @param {{ title?: string, children?: any }} props
 */
export function Empty({ title, children }) {
  return html`<div class="fd-empty">
    ${title ? html`<div class="fd-empty-title">${title}</div>` : null}
    <div class="fd-empty-body">${children}</div>
  </div>`;
}

/**
 * An error as a card: a FleetApiError shows its code and status.
 * @param {{ error: any, title?: string, onRetry?: () => void }} props
 */
export function ErrorNote({ error, title = 'Something went wrong', onRetry }) {
  if (!error) return null;
  const code = error instanceof FleetApiError ? `${error.code}${error.status ? ` (${error.status})` : ''}` : '';
  return html`<div class="fd-error" role="alert">
    <div class="fd-error-title">${title}</div>
    <div class="fd-error-message">${String(error.message ?? error)}</div>
    ${code ? html`<div class="fd-error-code">${code}</div>` : null}
    ${onRetry ? html`<${Button} small onClick=${onRetry}>Retry<//>` : null}
  </div>`;
}

/**
 * A view's frame: its `data-view` root (the tests' selector), a title row with optional tools on the right.
 * @param {{ id: string, title?: any, tools?: any, children?: any, className?: string }} props
 */
export function View({ id, title, tools, children, className = '' }) {
  return html`<section class=${`fd-view ${className}`} data-view=${id}>
    ${
      title || tools
        ? html`<header class="fd-view-header">
            <h1 class="fd-view-title">${title}</h1>
            <div class="fd-view-tools">${tools}</div>
          </header>`
        : null
    }
    ${children}
  </section>`;
}
