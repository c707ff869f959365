import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { HostMessage, HostRequest } from '../../core/index.js';

type Ack = { ok: boolean; error?: string };

export interface HostClientOptions {
  /** Whether the host has ended for good (it wrote its exit): then no attempt to reach it is made. */
  gone?: () => boolean;
  /** Told once when the connection is lost or cannot be made because the host has ended. */
  onGone?: () => void;
}

/**
 * The server's connection to one pane host. It reconnects after a drop (the host outlives server
 * restarts and brief socket trouble) until closed, and matches input acks to their requests.
 *
 * A host can die at any moment, mid-write: every socket and the line reader on it have an `error`
 * listener (an unheard EPIPE or ECONNRESET would be thrown and end the whole server), and a write
 * that fails refuses its input with the reason instead of throwing.
 */
export class HostClient {
  readonly #path: string;
  readonly #onMessage: (message: HostMessage) => void;
  readonly #gone: () => boolean;
  readonly #onGone: () => void;
  #goneTold = false;
  #socket: Socket | undefined;
  #closed = false;
  #nextId = 1;
  #pending = new Map<number, (ack: Ack) => void>();
  #retry: NodeJS.Timeout | undefined;
  #connected: Promise<void> | undefined;

  constructor(path: string, onMessage: (message: HostMessage) => void, options: HostClientOptions = {}) {
    this.#path = path;
    this.#onMessage = onMessage;
    this.#gone = options.gone ?? (() => false);
    this.#onGone = options.onGone ?? (() => undefined);
  }

  /**
   * Connect, retrying until `deadlineMs` passes (the host creates its socket shortly after it
   * starts), or until the host has ended: a host whose agent could not start writes its exit and
   * is gone before anyone connects, and waiting out the deadline would only delay saying so.
   */
  connect(deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    this.#connected = new Promise((resolveConnect, reject) => {
      const attempt = () => {
        if (this.#closed) return reject(new Error('closed'));
        if (this.#gone()) {
          this.#tellGone();
          return reject(new Error('the pane host has ended'));
        }
        const socket = connect(this.#path);
        const failed = () => {
          socket.destroy();
          if (this.#closed) reject(new Error('closed'));
          else if (Date.now() > until) reject(new Error(`pane host socket ${this.#path} did not answer`));
          else this.#retry = setTimeout(attempt, 100);
        };
        socket.once('error', failed);
        socket.once('connect', () => {
          // From here on #attach's listeners own the socket: a later error must not start a second
          // connection next to the one its 'close' reconnects.
          socket.off('error', failed);
          if (this.#closed) {
            // close() ran while this attempt was under way: nothing may keep the socket open.
            socket.on('error', () => undefined);
            socket.destroy();
            return reject(new Error('closed'));
          }
          this.#attach(socket);
          resolveConnect();
        });
      };
      attempt();
    });
    return this.#connected;
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    // Errors are heard here; the 'close' that follows each one settles what is pending.
    socket.on('error', () => undefined);
    const lines = createInterface({ input: socket });
    // readline re-emits its input's errors: unheard, the socket's EPIPE would be thrown from here.
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      let message: HostMessage;
      try {
        message = JSON.parse(line) as HostMessage;
      } catch {
        return;
      }
      if (message.type === 'ack') this.#settle(message.id, { ok: message.ok, error: message.error });
      this.#onMessage(message);
    });
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      for (const id of [...this.#pending.keys()]) this.#settle(id, { ok: false, error: 'the pane host went away' });
      if (this.#closed) return;
      // The host ended (its exit written): say so now rather than when the health check looks.
      if (this.#gone()) this.#tellGone();
      else this.#retry = setTimeout(() => void this.connect(2000).catch(() => undefined), 500);
    });
  }

  #tellGone(): void {
    if (this.#goneTold || this.#closed) return;
    this.#goneTold = true;
    this.#onGone();
  }

  #settle(id: number, ack: Ack): void {
    const resolveAck = this.#pending.get(id);
    this.#pending.delete(id);
    resolveAck?.(ack);
  }

  get connected(): boolean {
    return this.#writable(this.#socket);
  }

  /** Open for writing: not destroyed, and not ended by a host that closed its side. */
  #writable(socket: Socket | undefined): socket is Socket {
    return socket !== undefined && !socket.destroyed && socket.writable;
  }

  /** Write one request; `failed` hears why a write that was handed to the socket did not go out. */
  #send(request: HostRequest, failed: (error: Error) => void = () => undefined): boolean {
    const socket = this.#socket;
    if (!this.#writable(socket)) return false;
    try {
      socket.write(JSON.stringify(request) + '\n', (error) => {
        if (error) failed(error);
      });
    } catch (error) {
      failed(error as Error);
    }
    return true;
  }

  /** Deliver input to the agent; resolves when the host acknowledges it, or says why it could not. */
  input(text: string, timeoutMs = 5000): Promise<Ack> {
    const id = this.#nextId++;
    return new Promise((resolveAck) => {
      const timer = setTimeout(() => this.#settle(id, { ok: false, error: 'the pane host did not answer' }), timeoutMs);
      this.#pending.set(id, (ack) => {
        clearTimeout(timer);
        resolveAck(ack);
      });
      const sent = this.#send({ type: 'input', id, text }, (error) =>
        this.#settle(id, { ok: false, error: `the pane host connection failed (${errorCode(error)})` }),
      );
      if (!sent) this.#settle(id, { ok: false, error: 'the pane host is not connected' });
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

function errorCode(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
