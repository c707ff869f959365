// The tab's one WebSocket to the fleet's hub (`/ws`): authenticates with the token, keeps the last seq it
// saw and, after a drop, reconnects with exponential back-off and resumes with `since` so no event is lost.
// When the hub can no longer replay what was missed (`resync_required`), listeners of onResync reload.

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15_000;
/** A socket that has not answered our ping in this long is taken for dead (a laptop waking from sleep). */
const PING_EVERY_MS = 25_000;
const PONG_WITHIN_MS = 10_000;
/** Close codes of core/ws/hub.ts. */
const CLOSE_UNAUTHENTICATED = 4401;

/** Hub messages that are not events (events are the ones with a numeric seq). */
const AUTH_FAILURES = new Set(['Token expired', 'Token revoked', 'Invalid token']);

export class LiveSocket {
  /** @type {WebSocket | undefined} */
  #ws;
  #token;
  #onAuthFailed;
  /** @type {'live' | 'resuming' | 'offline'} */
  state = 'offline';
  /** Why the socket last failed (the hub's error or close reason), for the connection indicator's tooltip. */
  lastError = '';
  /** The newest seq received; 0 until the first event. */
  lastSeq = 0;
  /** Whether lastSeq is a cursor the hub can resume from (false until an event or `resumed` arrives). */
  #haveCursor = false;
  #attempt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retryTimer;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #pingTimer;
  #awaitingPongSince = 0;
  #closed = false;
  #everLive = false;
  /** type → listeners; '*' for all. */
  /** @type {Map<string, Set<(event: any) => void>>} */
  #listeners = new Map();
  /** @type {Set<(state: 'live' | 'resuming' | 'offline') => void>} */
  #stateListeners = new Set();
  /** @type {Set<() => void>} */
  #resyncListeners = new Set();
  /** Guarded topics joined: `key\u0000id` → count of followers. */
  /** @type {Map<string, number>} */
  #follows = new Map();

  /** @param {{ token: string, onAuthFailed: (reason: string) => void }} options */
  constructor({ token, onAuthFailed }) {
    this.#token = token;
    this.#onAuthFailed = onAuthFailed;
  }

  connect() {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    this.#setState('resuming');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      /** @type {Record<string, unknown>} */
      // batch: the hub sends what arrives within 25 ms as one frame, not one frame per event.
      const auth = { type: 'auth', token: this.#token, batch: true };
      if (this.#haveCursor) auth.since = this.lastSeq;
      ws.send(JSON.stringify(auth));
    };
    ws.onmessage = (message) => this.#onMessage(ws, message.data);
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      clearInterval(this.#pingTimer);
      if (this.#closed) return;
      if (event.reason) this.lastError = `closed (${event.code}): ${event.reason}`;
      // A 4401 (tokens revoked) retries too: the next auth says whether the token still works.
      this.#scheduleRetry(event.code === CLOSE_UNAUTHENTICATED);
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry.
    };
  }

  close() {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    this.#ws?.close(1000, 'signed out');
    this.#ws = undefined;
    this.#setState('offline');
  }

  /**
   * @param {string[] | '*'} types
   * @param {(event: any) => void} listener
   */
  subscribe(types, listener) {
    const keys = types === '*' ? ['*'] : [...new Set(types)];
    for (const key of keys) {
      let set = this.#listeners.get(key);
      if (!set) this.#listeners.set(key, (set = new Set()));
      set.add(listener);
    }
    return () => {
      for (const key of keys) {
        const set = this.#listeners.get(key);
        set?.delete(listener);
        if (set?.size === 0) this.#listeners.delete(key);
      }
    };
  }

  /** @param {(state: 'live' | 'resuming' | 'offline') => void} listener */
  onState(listener) {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** @param {() => void} listener */
  onResync(listener) {
    this.#resyncListeners.add(listener);
    return () => this.#resyncListeners.delete(listener);
  }

  /**
   * @param {string} key
   * @param {string} id
   */
  follow(key, id) {
    const name = `${key}\u0000${id}`;
    const count = this.#follows.get(name) ?? 0;
    this.#follows.set(name, count + 1);
    if (count === 0 && this.state === 'live') this.#send({ type: 'subscribe', [key]: id });
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const now = (this.#follows.get(name) ?? 1) - 1;
      if (now > 0) {
        this.#follows.set(name, now);
        return;
      }
      this.#follows.delete(name);
      if (this.state === 'live') this.#send({ type: 'unsubscribe', [key]: id });
    };
  }

  /** @param {Record<string, unknown>} message */
  #send(message) {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  /**
   * @param {WebSocket} ws
   * @param {unknown} data
   */
  #onMessage(ws, data) {
    if (this.#ws !== ws || typeof data !== 'string') return;
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (!message || typeof message !== 'object') return;
    // The hub gathers a batching socket's messages into one frame (see `batch: true` in the auth).
    if (message.type === 'batch' && Array.isArray(message.messages)) {
      for (const one of message.messages) if (this.#ws === ws) this.#handle(ws, one);
      return;
    }
    this.#handle(ws, message);
  }

  /**
   * One message of the hub's: an event (it has a seq) or a control message.
   * @param {WebSocket} ws
   * @param {any} message
   */
  #handle(ws, message) {
    if (!message || typeof message !== 'object') return;
    if (typeof message.seq === 'number') {
      this.#onEvent(message);
      return;
    }
    switch (message.type) {
      case 'authenticated': {
        const resumed = this.#haveCursor;
        this.#attempt = 0;
        this.#awaitingPongSince = 0;
        clearInterval(this.#pingTimer);
        this.#pingTimer = setInterval(() => this.#keepAlive(ws), PING_EVERY_MS);
        for (const name of this.#follows.keys()) {
          const [key, id] = name.split('\u0000');
          this.#send({ type: 'subscribe', [key]: id });
        }
        // A reconnect with no cursor (no event had arrived yet) cannot know what it missed.
        if (this.#everLive && !resumed) this.#emitResync();
        this.#everLive = true;
        this.lastError = '';
        this.#setState('live');
        return;
      }
      case 'resumed':
        if (typeof message.next === 'number' && message.next > this.lastSeq) this.lastSeq = message.next;
        this.#haveCursor = true;
        return;
      case 'resync_required':
        // The hub's ring no longer holds what we missed (or it restarted): start over from its newest seq.
        if (typeof message.lastSeq === 'number') this.lastSeq = message.lastSeq;
        this.#haveCursor = true;
        this.#emitResync();
        return;
      case 'pong':
        this.#awaitingPongSince = 0;
        return;
      case 'error':
        if (this.state !== 'live' && AUTH_FAILURES.has(message.message)) {
          this.#closed = true;
          ws.close(1000, 'auth failed');
          this.#setState('offline');
          this.#onAuthFailed(message.message);
        } else {
          this.lastError = String(message.message);
          console.warn('fleet socket:', message.message);
        }
        return;
      default:
      // subscribed / unsubscribed: nothing to do.
    }
  }

  /** @param {{ type: string, seq: number }} event */
  #onEvent(event) {
    // A replayed event we already had (a resume overlapping live delivery) is dropped.
    if (this.#haveCursor && event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.#haveCursor = true;
    for (const key of [event.type, '*']) {
      const set = this.#listeners.get(key);
      if (!set) continue;
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch (error) {
          console.error('fleet event listener failed', event.type, error);
        }
      }
    }
  }

  #emitResync() {
    for (const listener of [...this.#resyncListeners]) {
      try {
        listener();
      } catch (error) {
        console.error('fleet resync listener failed', error);
      }
    }
  }

  /** @param {WebSocket} ws */
  #keepAlive(ws) {
    if (this.#ws !== ws) return;
    if (this.#awaitingPongSince && Date.now() - this.#awaitingPongSince > PONG_WITHIN_MS) {
      // Half-open: the browser has not noticed the connection is gone. Drop it and resume.
      this.#ws = undefined;
      clearInterval(this.#pingTimer);
      ws.close();
      this.#scheduleRetry();
      return;
    }
    if (!this.#awaitingPongSince) this.#awaitingPongSince = Date.now();
    this.#send({ type: 'ping' });
  }

  /** @param {boolean} [now] retry at once (once) instead of after the back-off */
  #scheduleRetry(now = false) {
    if (this.#closed) return;
    if (now && this.#attempt === 0) {
      this.#attempt++;
      this.#setState('resuming');
      this.#retryTimer = setTimeout(() => this.connect(), 50);
      return;
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.#attempt);
    this.#attempt++;
    // Full jitter around the back-off, so 5 tabs of a restarted fleet do not reconnect in lockstep.
    const wait = delay / 2 + Math.random() * (delay / 2);
    this.#setState(this.#attempt > 1 ? 'offline' : 'resuming');
    this.#retryTimer = setTimeout(() => this.connect(), wait);
  }

  /** @param {'live' | 'resuming' | 'offline'} state */
  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.#stateListeners]) listener(state);
  }
}
