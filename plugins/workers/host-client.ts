import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { HostMessage, HostRequest } from '../../core/index.js';

/**
 * The server's connection to one pane host. It reconnects after a drop (the host outlives server
 * restarts and brief socket trouble) until closed, and matches input acks to their requests.
 */
export class HostClient {
  readonly #path: string;
  readonly #onMessage: (message: HostMessage) => void;
  #socket: Socket | undefined;
  #closed = false;
  #nextId = 1;
  #pending = new Map<number, (ack: { ok: boolean; error?: string }) => void>();
  #retry: NodeJS.Timeout | undefined;
  #connected: Promise<void> | undefined;

  constructor(path: string, onMessage: (message: HostMessage) => void) {
    this.#path = path;
    this.#onMessage = onMessage;
  }

  /** Connect, retrying until `deadlineMs` passes (the host creates its socket shortly after it starts). */
  connect(deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    this.#connected = new Promise((resolveConnect, reject) => {
      const attempt = () => {
        if (this.#closed) return reject(new Error('closed'));
        const socket = connect(this.#path);
        socket.once('connect', () => {
          this.#attach(socket);
          resolveConnect();
        });
        socket.once('error', () => {
          socket.destroy();
          if (Date.now() > until) reject(new Error(`pane host socket ${this.#path} did not answer`));
          else this.#retry = setTimeout(attempt, 100);
        });
      };
      attempt();
    });
    return this.#connected;
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    createInterface({ input: socket }).on('line', (line) => {
      let message: HostMessage;
      try {
        message = JSON.parse(line) as HostMessage;
      } catch {
        return;
      }
      if (message.type === 'ack') {
        this.#pending.get(message.id)?.({ ok: message.ok, error: message.error });
        this.#pending.delete(message.id);
      }
      this.#onMessage(message);
    });
    socket.on('close', () => {
      this.#socket = undefined;
      for (const resolveAck of this.#pending.values()) resolveAck({ ok: false, error: 'the pane host went away' });
      this.#pending.clear();
      if (!this.#closed) this.#retry = setTimeout(() => void this.connect(2000).catch(() => undefined), 500);
    });
    socket.on('error', () => undefined);
  }

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  #send(request: HostRequest): boolean {
    if (!this.#socket || this.#socket.destroyed) return false;
    this.#socket.write(JSON.stringify(request) + '\n');
    return true;
  }

  /** Deliver input to the agent; resolves when the host acknowledges it. */
  input(text: string, timeoutMs = 5000): Promise<{ ok: boolean; error?: string }> {
    const id = this.#nextId++;
    return new Promise((resolveAck) => {
      if (!this.#send({ type: 'input', id, text }))
        return resolveAck({ ok: false, error: 'the pane host is not connected' });
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolveAck({ ok: false, error: 'the pane host did not answer' });
      }, timeoutMs);
      this.#pending.set(id, (ack) => {
        clearTimeout(timer);
        resolveAck(ack);
      });
    });
  }

  stop(graceMs: number): boolean {
    return this.#send({ type: 'stop', graceMs });
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#socket?.destroy();
  }
}
