import { WebSocket } from 'ws';
import type { TestLike } from '../harness.js';

export type Message = Record<string, any>;

/** A `ws` client that queues what it receives, so a test can await the next message. */
export class WsClient {
  readonly received: Message[] = [];
  #cursor = 0;
  #wake: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Message);
      this.#wake?.();
    });
    ws.on('close', () => this.#wake?.());
  }

  static async open(t: TestLike, url: string): Promise<WsClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    t.teardown(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WsClient(ws);
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

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

  async ask(message: unknown): Promise<Message> {
    this.send(message);
    return this.next();
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
