// The plugins' panels: the list of those on now (GET /dashboard/panels), each one's module loaded with
// import(url), its views registered and its inbox hook started once. A panel that fails to load is kept
// as an error (the nav and its views show an error card, never a blank page); a panel whose plugin was
// turned off goes away with its inbox items.

/**
 * @typedef {{ id: string, title: string, order: number, component: any, plugin: string, nav: boolean }} ViewDef
 * @typedef {{ plugin: string, title: string, order: number, url: string, status: 'loading' | 'ok' | 'error',
 *   error?: unknown, views: ViewDef[], cleanup?: () => void, keys: Set<string>, inboxError?: unknown }} PanelEntry
 */

const VIEW_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Ids the shell keeps for itself. */
export const SHELL_VIEWS = new Set(['needs-you', 'plugins', 'panel', 'sign-in', 'not-found']);

export class PanelRegistry {
  #fleet;
  /** @type {Map<string, PanelEntry>} */
  #entries = new Map();
  /** @type {Set<() => void>} */
  #listeners = new Set();
  /** @type {unknown} */
  listError = undefined;
  /** False until the first list arrived (views not yet known are "loading", not "not found"). */
  listed = false;
  #closed = false;
  /** @type {Promise<void> | undefined} */
  #refreshing;
  #again = false;

  /** @param {any} fleet */
  constructor(fleet) {
    this.#fleet = fleet;
  }

  /** Re-read the list; concurrent calls share one request (and one more after it if asked meanwhile). */
  refresh() {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = this.#refreshNow().finally(() => {
      this.#refreshing = undefined;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#refreshing;
  }

  async #refreshNow() {
    const before = this.#signature();
    let list;
    try {
      const body = await this.#fleet.api('GET', '/dashboard/panels');
      list = Array.isArray(body?.panels) ? body.panels : [];
      this.listError = undefined;
    } catch (error) {
      this.listError = error;
      this.listed = true;
      this.#changed();
      return;
    }
    if (this.#closed) return;
    this.listed = true;
    const wanted = new Map(list.map((/** @type {any} */ panel) => [panel.plugin, panel]));
    for (const [plugin, entry] of this.#entries) {
      const next = wanted.get(plugin);
      if (!next || next.url !== entry.url) this.#remove(entry);
    }
    for (const panel of list) {
      if (typeof panel?.plugin !== 'string' || typeof panel.url !== 'string' || this.#entries.has(panel.plugin))
        continue;
      /** @type {PanelEntry} */
      const entry = {
        plugin: panel.plugin,
        title: typeof panel.title === 'string' ? panel.title : panel.plugin,
        order: typeof panel.order === 'number' ? panel.order : 100,
        url: panel.url,
        status: 'loading',
        views: [],
        keys: new Set(),
      };
      this.#entries.set(panel.plugin, entry);
      void this.#load(entry);
    }
    // Most refreshes find the same panels: no render for them (a re-render reaches the open view).
    if (this.#signature() !== before) this.#changed();
  }

  /** What the nav and views depend on, as text. */
  #signature() {
    const entries = [...this.#entries.values()].map((entry) => `${entry.plugin} ${entry.url} ${entry.status}`);
    return `${this.listed} ${String(this.listError)} ${entries.join('|')}`;
  }

  /** @param {PanelEntry} entry */
  async #load(entry) {
    try {
      const module = await import(entry.url);
      if (this.#entries.get(entry.plugin) !== entry) return;
      entry.views = this.#viewsOf(entry, module);
      entry.status = 'ok';
      if (typeof module.inbox === 'function') this.#startInbox(entry, module.inbox);
    } catch (error) {
      if (this.#entries.get(entry.plugin) !== entry) return;
      console.warn(`panel ${entry.plugin} failed to load`, error);
      entry.status = 'error';
      entry.error = error;
    }
    this.#changed();
  }

  /**
   * @param {PanelEntry} entry
   * @param {any} module
   * @returns {ViewDef[]}
   */
  #viewsOf(entry, module) {
    const views = Array.isArray(module.views) ? module.views : [];
    /** @type {ViewDef[]} */
    const accepted = [];
    const taken = new Set(this.views().map((view) => view.id));
    for (const view of views) {
      if (!view || typeof view.id !== 'string' || !VIEW_ID.test(view.id) || typeof view.component !== 'function') {
        console.warn(`panel ${entry.plugin}: a view without a valid id and component is ignored`, view);
        continue;
      }
      if (SHELL_VIEWS.has(view.id) || taken.has(view.id)) {
        console.warn(`panel ${entry.plugin}: view id ${view.id} is taken; ignored`);
        continue;
      }
      taken.add(view.id);
      accepted.push({
        id: view.id,
        title: typeof view.title === 'string' ? view.title : view.id,
        order: typeof view.order === 'number' ? view.order : entry.order,
        component: view.component,
        plugin: entry.plugin,
        nav: view.nav !== false && view.hidden !== true,
      });
    }
    return accepted;
  }

  /**
   * The panel's inbox hook gets a Fleet whose inbox remembers the keys it put, so they can be dropped
   * when the plugin is turned off even if its cleanup forgets to.
   * @param {PanelEntry} entry
   * @param {(fleet: any) => unknown} hook
   */
  #startInbox(entry, hook) {
    const fleet = this.#fleet;
    const scoped = Object.create(fleet, {
      inbox: {
        value: {
          put: (/** @type {any} */ item) => {
            fleet.inbox.put(item);
            entry.keys.add(item.key);
          },
          drop: (/** @type {string} */ key) => {
            fleet.inbox.drop(key);
            entry.keys.delete(key);
          },
        },
      },
    });
    try {
      const cleanup = hook(scoped);
      if (typeof cleanup === 'function') entry.cleanup = /** @type {() => void} */ (cleanup);
    } catch (error) {
      console.warn(`panel ${entry.plugin}: its inbox hook failed`, error);
      entry.inboxError = error;
      fleet.inbox.put({
        key: `shell:panel-inbox:${entry.plugin}`,
        kind: 'panel-error',
        title: `The ${entry.title} panel could not feed this inbox`,
        detail: String(/** @type {any} */ (error)?.message ?? error),
        at: Date.now(),
        severity: 'info',
        link: '#/plugins',
      });
    }
  }

  /** @param {PanelEntry} entry */
  #remove(entry) {
    this.#entries.delete(entry.plugin);
    try {
      entry.cleanup?.();
    } catch (error) {
      console.warn(`panel ${entry.plugin}: its inbox cleanup failed`, error);
    }
    for (const key of entry.keys) this.#fleet.inbox.drop(key);
    this.#fleet.inbox.drop(`shell:panel-inbox:${entry.plugin}`);
  }

  /** Every panel entry, by order. */
  panels() {
    return [...this.#entries.values()].sort((a, b) => a.order - b.order || a.plugin.localeCompare(b.plugin));
  }

  /** Every registered view, by order. */
  views() {
    return this.panels()
      .flatMap((entry) => entry.views)
      .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  }

  /** @param {string} id */
  view(id) {
    for (const entry of this.#entries.values()) for (const view of entry.views) if (view.id === id) return view;
    return undefined;
  }

  /** @param {string} plugin */
  panel(plugin) {
    return this.#entries.get(plugin);
  }

  /** Whether a panel is still loading (an unknown view may yet appear). */
  get loading() {
    return !this.listed || [...this.#entries.values()].some((entry) => entry.status === 'loading');
  }

  /** @param {() => void} listener */
  listen(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close() {
    this.#closed = true;
    for (const entry of [...this.#entries.values()]) this.#remove(entry);
    this.#listeners.clear();
  }

  #changed() {
    for (const listener of [...this.#listeners]) listener();
  }
}
