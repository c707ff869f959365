import { WebSocket } from 'ws';
import type { TestLike } from './harness.js';

export type Message = Record<string, any>;

/**
 * A `ws` client on a fleet's `/ws` that queues what it receives, so a test can await the next
 * message, send and await the answer, or sync with a ping. Terminated when the test ends.
 */
export class WsClient {
  readonly received: Message[] = [];
  #cursor = 0;
  #wake: (() => void) | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Message);
      this.#wake?.();
    });
    ws.on('close', () => this.#wake?.());
  }

  /**
   * Connect to a fleet (its http URL, or anything with `url`); `autoPong: false` makes a socket that
   * ignores server pings. Subclasses get an instance of themselves.
   */
  static async open<T extends WsClient>(this: new (ws: WebSocket) => T, t: TestLike, fleet: string | { url: string }, options: { autoPong?: boolean } = {}): Promise<T> {
    return new this(await connect(t, typeof fleet === 'string' ? fleet : fleet.url, options));
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
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
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

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

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
