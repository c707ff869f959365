// The needs-you inbox's items while the page is open: panels' inbox hooks put and drop them by key; the
// shell's view and the nav's count badge listen. Changes are announced once per animation frame, so a
// panel that puts 50 items at start (or an event storm) costs one render.

import { nextFrame, toMs as atMs } from './panel-kit.js';

/** @typedef {import('./fleet-client.js').InboxItem} InboxItem */

export class InboxStore {
  /** @type {Map<string, InboxItem>} */
  #items = new Map();
  /** @type {Set<(items: InboxItem[]) => void>} */
  #listeners = new Set();
  /** @type {Set<(item: InboxItem) => void>} */
  #arrivals = new Set();
  /** @type {InboxItem[] | undefined} */
  #sorted;
  #scheduled = false;

  /** @param {InboxItem} item */
  put(item) {
    if (!item || typeof item.key !== 'string' || !item.key) throw new TypeError('inbox item: key is required');
    if (typeof item.title !== 'string') throw new TypeError(`inbox item ${item.key}: title is required`);
    const isNew = !this.#items.has(item.key);
    this.#items.set(item.key, item);
    this.#changed();
    if (isNew) for (const listener of [...this.#arrivals]) listener(item);
  }

  /** @param {string} key */
  drop(key) {
    if (this.#items.delete(key)) this.#changed();
  }

  /** Drop every item whose key starts with `prefix` (a panel cleaning up after itself). */
  dropPrefix(/** @type {string} */ prefix) {
    let any = false;
    for (const key of [...this.#items.keys()]) if (key.startsWith(prefix) && this.#items.delete(key)) any = true;
    if (any) this.#changed();
  }

  clear() {
    this.#items.clear();
    this.#changed();
  }

  /** Newest first. */
  items() {
    this.#sorted ??= [...this.#items.values()].sort((a, b) => (atMs(b.at) || 0) - (atMs(a.at) || 0));
    return this.#sorted;
  }

  get size() {
    return this.#items.size;
  }

  /** @param {(items: InboxItem[]) => void} listener */
  listen(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hears each item the first time its key is put (desktop notifications). */
  onArrival(/** @type {(item: InboxItem) => void} */ listener) {
    this.#arrivals.add(listener);
    return () => this.#arrivals.delete(listener);
  }

  #changed() {
    this.#sorted = undefined;
    if (this.#scheduled) return;
    this.#scheduled = true;
    const flush = () => {
      this.#scheduled = false;
      const items = this.items();
      for (const listener of [...this.#listeners]) listener(items);
    };
    // nextFrame falls back to a timer: a hidden tab (no frames) still gets its title's count updated.
    nextFrame(flush);
  }
}
