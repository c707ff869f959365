import { WebSocket } from 'ws';
import { definePlugin } from '../../core/plugin.js';
import type { TestLike } from './test-like.js';

export type Message = Record<string, any>;

/**
 * A `ws` client on a fleet's `/ws` that keeps every message it receives, so a test can await the
 * next one, send and await the answer, sync with a ping, or wait for a message matching a test.
 * Terminated when the test ends.
 */
export class WsClient {
  readonly received: Message[] = [];
  #cursor = 0;
  #wake = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      // ws hands over a Buffer: no binaryType is set.
      this.received.push(JSON.parse((data as Buffer).toString('utf8')) as Message);
      this.#wakeAll();
    });
    ws.on('close', () => this.#wakeAll());
  }

  /**
   * Connect to a fleet (its http URL, or anything with `url`). Given a token (or `{ token }`), the
   * socket authenticates with it first; `autoPong: false` makes a socket that ignores server pings.
   * Subclasses get an instance of themselves.
   */
  static async open<T extends WsClient>(
    this: new (ws: WebSocket) => T,
    t: TestLike,
    fleet: string | { url: string },
    options: string | { autoPong?: boolean; token?: string } = {},
  ): Promise<T> {
    const { autoPong, token } = typeof options === 'string' ? { autoPong: undefined, token: options } : options;
    const socket = new this(await connect(t, typeof fleet === 'string' ? fleet : fleet.url, { autoPong }));
    if (token !== undefined) {
      const answer = await socket.ask({ type: 'auth', token });
      if (answer.type !== 'authenticated') throw new Error(`ws auth failed: ${JSON.stringify(answer)}`);
    }
    return socket;
  }

  /** A socket authenticated as an agent (anything with a `token`, or the token itself). */
  static as<T extends WsClient>(
    this: new (ws: WebSocket) => T,
    t: TestLike,
    fleet: string | { url: string },
    agent: string | { token: string },
  ): Promise<T> {
    return (WsClient.open<T>).call(this, t, fleet, { token: typeof agent === 'string' ? agent : agent.token });
  }

  #wakeAll(): void {
    for (const wake of [...this.#wake]) wake();
  }

  /** Resolve on the next message or close, or after `ms`. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wake.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wake.add(wake);
    });
  }

  /** Raw text is sent as it is (for malformed-message tests); anything else as JSON. */
  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message not yet consumed. */
  async next(timeoutMs = 3000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (this.#cursor >= this.received.length) {
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting for a message');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await this.#sleep(left);
    }
    return this.received[this.#cursor++]!;
  }

  /** Messages up to and including the first of type `type`. */
  async until(type: string): Promise<Message[]> {
    const got: Message[] = [];
    for (;;) {
      const message = await this.next();
      got.push(message);
      if (message.type === type) return got;
    }
  }

  /** Send a message and return the answer. */
  async ask(message: unknown): Promise<Message> {
    this.send(message);
    return this.next();
  }

  /** Subscribe to a chat and return the answer. */
  subscribe(chatId: string): Promise<Message> {
    return this.ask({ type: 'subscribe', chatId });
  }

  /**
   * Everything that arrived before the answer to a ping: the server handles a socket's messages in
   * order and writes events synchronously, so every earlier server write has arrived by the pong.
   */
  async sync(): Promise<Message[]> {
    const start = this.#cursor;
    this.send({ type: 'ping' });
    for (;;) {
      const message = await this.next();
      if (message.type === 'pong') return this.received.slice(start, this.#cursor - 1);
    }
  }

  /**
   * The first message received so far or later (from the very start, whatever next() consumed)
   * that matches, waiting up to the deadline.
   */
  async waitFor(what: string, match: (message: Message) => boolean, timeoutMs = 15_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ws message for ${what} within ${timeoutMs} ms`);
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${what}`);
      await this.#sleep(left);
    }
  }

  /** Every message received so far of this type (and, when given, about this handle). */
  of(type: string, handle?: string): Message[] {
    return this.received.filter((m) => m.type === type && (handle === undefined || m.handle === handle));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The mail and tasks suites' name for the client (its `as` and `subscribe` are WsClient's own). */
export const TestSocket = WsClient;
export type TestSocket = WsClient;
/** The workers suites' name for the client: `EventSocket.open(t, url, token)` opens and authenticates. */
export const EventSocket = WsClient;
export type EventSocket = WsClient;

/** Open a socket on `<url>/ws`, terminated when the test ends. */
export async function connect(t: TestLike, url: string, options: { autoPong?: boolean } = {}): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { autoPong: options.autoPong ?? true });
  t.teardown(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/**
 * A plugin that vouches for chat `c1` of team alpha only, as the mail plugin does for its chats:
 * WebSocket tests boot it (`plugins: { chats: true }, extraPlugins: [vouchingChats]`) to have a
 * guarded topic without mail.
 */
export const vouchingChats = definePlugin({
  name: 'chats',
  topics: [
    {
      prefix: 'chat',
      key: 'chatId',
      authorize: (identity, chatId) => identity.teamName === 'alpha' && chatId === 'c1',
    },
  ],
  setup: () => undefined,
});
