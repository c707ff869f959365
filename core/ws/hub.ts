import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Identity } from '../auth/identity.js';
import type { TokenService } from '../auth/tokens.js';
import type { EventSpine, FleetEvent } from '../events/types.js';
import type { Logger } from '../log.js';

/** Limits on sockets, read on each use so a live config edit applies to the next check. */
export interface WebSocketLimits {
  /** A socket that has not authenticated this long after connecting is closed (4401). */
  authTimeoutSeconds: number;
  /** Sockets open at once, in total; the upgrade past it is answered 503. */
  maxSockets: number;
  /** Sockets one agent may have authenticated at once; the next one to authenticate is closed (4429). */
  maxSocketsPerAgent: number;
  /** Bytes a socket may have waiting to be written; a send past it closes the socket instead (4008). */
  maxBufferedBytes: number;
  /** Messages a socket may send a minute (a bucket refilled continuously); past it the socket is closed (4429). */
  messagesPerMinute: number;
}

/** Close codes and reasons of the limits (4000–4999 is the application's range; reasons stay under 123 bytes). */
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_TOO_MANY = 4429;
const SLOW_CONSUMER_REASON = 'slow consumer: reconnect and resume with since';

interface Client {
  socket: WebSocket;
  identity: Identity | undefined;
  /** Guarded topics (`chat.<id>`) this socket subscribed to. */
  topics: Set<string>;
  alive: boolean;
  /** Messages are handled one at a time, in order: `auth` then `subscribe` sent together must not race. */
  queue: Promise<void>;
  /** The spine's last seq when this socket authenticated: later events reach it live, not by resume. */
  liveAfter: number;
  /** Closes the socket if it has not authenticated in time; cleared once it has. */
  authTimer: NodeJS.Timeout | undefined;
  /** Messages it may still send now: refilled at messagesPerMinute, never above it. */
  allowance: number;
  /** When `allowance` was last brought up to date (performance.now()). */
  allowanceAt: number;
  /** The client asked (`auth` with `batch: true`) for its messages gathered into `batch` frames. */
  batch: boolean;
  /** Messages waiting for the next batch frame, in order, and their bytes. */
  pending: string[];
  pendingBytes: number;
  flushTimer: NodeJS.Timeout | undefined;
}

const TOPIC_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_MESSAGE_BYTES = 64 * 1024;

/** Events read per page when resuming a socket. */
const RESUME_PAGE = 1000;

/**
 * A batching socket's messages wait at most this long, or until this many bytes: at 5,000 events a
 * second a browser tab then handles some 40 frames a second instead of 5,000.
 */
const BATCH_MS = 25;
const BATCH_BYTES = 64 * 1024;

/** A `since` a client may send: a seq, 0 for everything still held. */
function isCursor(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const TOKEN_FAILURE_MESSAGES = {
  expired: 'Token expired',
  revoked: 'Token revoked',
  invalid: 'Invalid token',
} as const;

/** A close reason as ws accepts it: at most 123 bytes of UTF-8 (a longer one would throw). */
function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

/** The message a socket receives for an event. */
function wireMessage(event: FleetEvent): string {
  return JSON.stringify({ ...(event.data as object), type: event.type, seq: event.seq, ts: event.ts });
}

/** The topic below the team's prefix (`chat.<id>`) when its first part is guarded, else undefined. */
function guardedTopicOf(event: FleetEvent, guarded: ReadonlySet<string>): string | undefined {
  const rest = event.topic.slice(`team.${event.team}.`.length);
  const dot = rest.indexOf('.');
  return dot > 0 && guarded.has(rest.slice(0, dot)) ? rest : undefined;
}

/**
 * The `/ws` endpoint: the seed's messages (auth, subscribe, unsubscribe, ping), events from the spine
 * to authenticated sockets of the event's team only, events on guarded topics (a chat's) only to
 * the sockets a plugin let subscribe, and a server ping that ends sockets which stop answering.
 * Limits keep one client from holding the server's memory or time: unauthenticated sockets are
 * closed after a while, sockets are capped in total and per agent, a socket that stops reading is
 * closed before its buffer grows past a bound, and each socket's messages are rate-limited.
 */
export class WebSocketHub {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  readonly #clients = new Set<Client>();
  /** Guarded topic prefixes of every plugin of the catalog, with the subscribe field naming the id. */
  readonly #guards: readonly { prefix: string; key: string }[];
  readonly #guardedPrefixes: ReadonlySet<string>;
  /** The running plugins' checks, by prefix: a prefix without one vouches for no one. */
  readonly #vouchers = new Map<string, (identity: Identity, id: string) => Promise<boolean> | boolean>();
  readonly #tokens: TokenService;
  readonly #log: Logger;
  readonly #unsubscribe: () => void;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #spine: EventSpine;
  readonly #limits: () => WebSocketLimits;
  /** When the hub last logged that it is full, so a flood of refused upgrades logs once a minute. */
  #fullLoggedAt = -Infinity;
  /** The newest seq the hub has seen; it hears every event from the spine. */
  #lastSeq = 0;

  constructor(options: {
    server: Server;
    spine: EventSpine;
    tokens: TokenService;
    log: Logger;
    pingSeconds: number;
    guarded: readonly { prefix: string; key: string }[];
    /** Read on each use: a live config edit applies to the next socket, message or send. */
    limits: () => WebSocketLimits;
    /**
     * Whether an upgrade may go on (the Host and Origin check): undefined, or the refusal to answer
     * before the handshake. A browser page of another site can open a WebSocket to the fleet.
     */
    admit?: (request: IncomingMessage) => { status: number; toJSON(): Record<string, unknown> } | undefined;
  }) {
    this.#guards = options.guarded;
    this.#limits = options.limits;
    this.#guardedPrefixes = new Set(options.guarded.map((guard) => guard.prefix));
    this.#tokens = options.tokens;
    this.#log = options.log;
    options.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/ws') {
        socket.end(
          'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"Not found"}',
        );
        return;
      }
      const refused = options.admit?.(request);
      if (refused) {
        const body = JSON.stringify(refused.toJSON());
        socket.end(
          `HTTP/1.1 ${refused.status} Forbidden\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        return;
      }
      // Refused before the handshake: a full server spends nothing on the socket, and a client reads
      // a plain 503 (ws clients see `Unexpected server response: 503`) and may retry later.
      const { maxSockets } = this.#limits();
      if (this.#clients.size >= maxSockets) {
        if (performance.now() - this.#fullLoggedAt > 60_000) {
          this.#fullLoggedAt = performance.now();
          this.#log.warn('websocket refused: server full', { maxSockets });
        }
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\n' +
            `Connection: close\r\n\r\n{"error":"Server full: at most ${maxSockets} WebSocket connections"}`,
        );
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
    });
    this.#spine = options.spine;
    this.#lastSeq = options.spine.stats().lastSeq;
    this.#unsubscribe = options.spine.subscribe('*', (event) => this.#deliver(event));
    this.#heartbeat = setInterval(() => this.#ping(), options.pingSeconds * 1000);
    this.#heartbeat.unref();
  }

  /** A running plugin vouches for subscriptions to one of its guarded prefixes; returns the undo. */
  vouch(prefix: string, authorize: (identity: Identity, id: string) => Promise<boolean> | boolean): () => void {
    this.#vouchers.set(prefix, authorize);
    return () => {
      if (this.#vouchers.get(prefix) === authorize) this.#vouchers.delete(prefix);
    };
  }

  async #mayFollow(prefix: string, identity: Identity, id: string): Promise<boolean> {
    const authorize = this.#vouchers.get(prefix);
    if (!authorize) return false;
    try {
      return await authorize(identity, id);
    } catch (error) {
      this.#log.warn('topic guard failed', { prefix, id, error });
      return false;
    }
  }

  /**
   * Close every socket authenticated as this agent (4401 with `reason`), e.g. when its tokens are
   * revoked: they stop receiving events at once. Returns how many were closed.
   */
  disconnect(uid: string, reason: string): number {
    let closed = 0;
    for (const client of this.#clients) {
      if (client.identity?.uid !== uid || client.socket.readyState !== WebSocket.OPEN) continue;
      client.socket.close(CLOSE_UNAUTHENTICATED, closeReason(reason));
      closed++;
    }
    return closed;
  }

  get connections(): number {
    return this.#clients.size;
  }

  /** Open sockets authenticated as agents of this team. */
  connectionsOf(teamName: string): number {
    let count = 0;
    for (const client of this.#clients) if (client.identity?.teamName === teamName) count++;
    return count;
  }

  /** Close every socket (1001 going away) and stop listening for events. */
  close(): void {
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    for (const client of this.#clients) client.socket.close(1001, 'server shutting down');
    for (const client of this.#clients) client.socket.terminate();
    this.#clients.clear();
    this.#wss.close();
  }

  #accept(socket: WebSocket): void {
    const limits = this.#limits();
    const client: Client = {
      socket,
      identity: undefined,
      topics: new Set(),
      alive: true,
      queue: Promise.resolve(),
      liveAfter: 0,
      authTimer: undefined,
      allowance: limits.messagesPerMinute,
      allowanceAt: performance.now(),
      batch: false,
      pending: [],
      pendingBytes: 0,
      flushTimer: undefined,
    };
    this.#clients.add(client);
    // A socket that never authenticates would otherwise hold its slot (and its buffers) for ever.
    const expire = () => {
      if (client.identity || socket.readyState !== WebSocket.OPEN) return;
      this.#log.debug('closing websocket that did not authenticate in time');
      socket.close(
        CLOSE_UNAUTHENTICATED,
        closeReason(`authentication timeout: send {"type":"auth"} within ${limits.authTimeoutSeconds} s`),
      );
    };
    // Messages received before the deadline are handled first: an auth sent in time but still being
    // verified counts (the queue is short: the message rate bounds it).
    client.authTimer = setTimeout(() => void client.queue.then(expire), limits.authTimeoutSeconds * 1000);
    client.authTimer.unref();
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      // Frames already read when the socket began closing are dropped unhandled.
      if (socket.readyState !== WebSocket.OPEN || !this.#withinRate(client)) return;
      const text = isBinary
        ? undefined
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
      client.queue = client.queue
        // Messages queued behind one that closed the socket are not worth handling (a flood's subscribes).
        .then(() => (socket.readyState === WebSocket.OPEN ? this.#onMessage(client, text) : undefined))
        .catch((error) => this.#log.warn('websocket message failed', { error }));
    });
    const forget = () => {
      clearTimeout(client.authTimer);
      clearTimeout(client.flushTimer);
      client.pending = [];
      this.#clients.delete(client);
    };
    socket.on('close', forget);
    socket.on('error', forget);
  }

  /**
   * Take one message from the socket's allowance, or close it (4429) after one error when it has
   * none left: the messages are counted as they arrive, before any is handled, so a flood costs the
   * event loop no more than the allowance and cannot delay other sockets' events.
   */
  #withinRate(client: Client): boolean {
    const perMinute = this.#limits().messagesPerMinute;
    const now = performance.now();
    client.allowance = Math.min(perMinute, client.allowance + ((now - client.allowanceAt) * perMinute) / 60_000);
    client.allowanceAt = now;
    if (client.allowance >= 1) {
      client.allowance -= 1;
      return true;
    }
    this.#log.warn('closing websocket over its message rate', { uid: client.identity?.uid, perMinute });
    this.#send(client, { type: 'error', message: `Too many messages: at most ${perMinute} a minute` });
    client.socket.close(CLOSE_TOO_MANY, 'too many messages');
    return false;
  }

  #send(client: Client, message: Record<string, unknown>): void {
    this.#write(client, JSON.stringify(message), this.#limits().maxBufferedBytes);
  }

  /**
   * Send unless the socket is closing; a socket whose unsent bytes are already past the limit is
   * closed instead (4008), so a client that stops reading costs at most the limit plus one message.
   * The close frame follows what is buffered: a client still reading gets every event up to it and
   * resumes from the last seq it saw. Returns whether the text was sent.
   */
  #write(client: Client, text: string, maxBufferedBytes: number): boolean {
    const socket = client.socket;
    if (socket.readyState !== WebSocket.OPEN) return false;
    if (socket.bufferedAmount + client.pendingBytes > maxBufferedBytes) {
      this.#log.warn('closing slow websocket consumer', {
        uid: client.identity?.uid,
        bufferedAmount: socket.bufferedAmount,
        maxBufferedBytes,
      });
      this.#flush(client);
      socket.close(CLOSE_SLOW_CONSUMER, SLOW_CONSUMER_REASON);
      return false;
    }
    if (!client.batch) {
      socket.send(text);
      return true;
    }
    client.pending.push(text);
    client.pendingBytes += text.length;
    if (client.pendingBytes >= BATCH_BYTES) this.#flush(client);
    else client.flushTimer ??= setTimeout(() => this.#flush(client), BATCH_MS);
    return true;
  }

  /** Send a batching socket's waiting messages as one frame: `{"type":"batch","messages":[...]}`, in order. */
  #flush(client: Client): void {
    clearTimeout(client.flushTimer);
    client.flushTimer = undefined;
    if (client.pending.length === 0) return;
    // Each message is already JSON: the frame is written around them, not parsed and serialised again.
    const frame = `{"type":"batch","messages":[${client.pending.join(',')}]}`;
    client.pending = [];
    client.pendingBytes = 0;
    if (client.socket.readyState === WebSocket.OPEN) client.socket.send(frame);
  }

  async #onMessage(client: Client, text: string | undefined): Promise<void> {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text ?? '') as Record<string, unknown>;
      if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new Error('not an object');
    } catch {
      this.#send(client, { type: 'error', message: 'Invalid message: expected a JSON object with a type' });
      return;
    }
    switch (message.type) {
      case 'ping':
        this.#send(client, { type: 'pong' });
        return;
      case 'auth': {
        if (message.since !== undefined && !isCursor(message.since)) {
          this.#send(client, { type: 'error', message: 'since: must be a non-negative integer' });
          return;
        }
        if (message.batch !== undefined && typeof message.batch !== 'boolean') {
          this.#send(client, { type: 'error', message: 'batch: must be true or false' });
          return;
        }
        const result =
          typeof message.token === 'string'
            ? await this.#tokens.verify(message.token)
            : ({ ok: false, reason: 'invalid' } as const);
        if (!result.ok) {
          this.#send(client, {
            type: 'error',
            message: TOKEN_FAILURE_MESSAGES[result.reason],
          });
          return;
        }
        const { maxSocketsPerAgent } = this.#limits();
        let others = 0;
        for (const other of this.#clients) {
          const open = other.socket.readyState === WebSocket.OPEN;
          if (other !== client && open && other.identity?.uid === result.identity.uid) others++;
        }
        if (others >= maxSocketsPerAgent) {
          const handle = result.identity.handle;
          this.#send(client, {
            type: 'error',
            message: `Too many sockets: ${handle} already has ${others} open (at most ${maxSocketsPerAgent})`,
          });
          client.socket.close(CLOSE_TOO_MANY, 'too many sockets for this agent');
          return;
        }
        clearTimeout(client.authTimer);
        // A new identity starts with no chat subscriptions: the old one's memberships are not its own.
        if (client.identity?.uid !== result.identity.uid) client.topics.clear();
        client.identity = result.identity;
        client.liveAfter = this.#lastSeq;
        // From the answer to this auth on: a batching client gets `authenticated` in its first batch frame.
        this.#flush(client);
        client.batch = message.batch === true;
        this.#send(client, {
          type: 'authenticated',
          uid: result.identity.uid,
          handle: result.identity.handle,
          teamName: result.identity.teamName,
        });
        // Resuming in the same step as authenticating: no live event can come before the missed ones.
        if (isCursor(message.since)) this.#resume(client, message.since);
        return;
      }
      case 'subscribe':
      case 'unsubscribe': {
        if (!client.identity) {
          this.#send(client, {
            type: 'error',
            message: 'Authentication required: send {"type":"auth","token":"..."} first',
          });
          return;
        }
        const since = message.since;
        if (message.type === 'subscribe' && since !== undefined && !isCursor(since)) {
          this.#send(client, { type: 'error', message: 'since: must be a non-negative integer' });
          return;
        }
        const guard = this.#guards.find((candidate) => message[candidate.key] !== undefined);
        // `since` alone: the team's events this socket missed, no topic to join.
        if (message.type === 'subscribe' && typeof since === 'number' && !guard) {
          this.#resume(client, since);
          return;
        }
        if (!guard) {
          const keys = [...new Set(this.#guards.map((candidate) => candidate.key))];
          this.#send(client, {
            type: 'error',
            message:
              keys.length > 0
                ? `${keys.join(' or ')}: is required`
                : 'subscribe: no running plugin offers topics to subscribe to',
          });
          return;
        }
        const id = message[guard.key];
        if (typeof id !== 'string' || !TOPIC_ID.test(id)) {
          this.#send(client, { type: 'error', message: `${guard.key}: must be 1–64 letters, digits, _ or -` });
          return;
        }
        const topic = `${guard.prefix}.${id}`;
        if (message.type === 'subscribe') {
          if (!(await this.#mayFollow(guard.prefix, client.identity, id))) {
            this.#send(client, { type: 'error', message: `${guard.key}: no ${guard.prefix} ${id} that you belong to` });
            return;
          }
          client.topics.add(topic);
          this.#send(client, { type: 'subscribed', [guard.key]: id });
          if (typeof since === 'number') this.#resume(client, since);
        } else {
          client.topics.delete(topic);
          this.#send(client, { type: 'unsubscribed', [guard.key]: id });
        }
        return;
      }
      default:
        this.#send(client, { type: 'error', message: `Unknown message type: ${String(message.type)}` });
    }
  }

  /**
   * Send the team events this socket missed: seq after `since`, up to the moment it authenticated
   * (later ones reached it live), in order, as live events would have been filtered; or
   * `resync_required` when the ring no longer holds them all. It runs without awaiting, so no live
   * event can slip in between.
   */
  #resume(client: Client, since: number): void {
    const team = client.identity!.teamName;
    const missed: FleetEvent[] = [];
    let cursor = since;
    // A cursor ahead of the spine comes from before a restart: nothing it holds can be trusted.
    if (since > this.#lastSeq) {
      this.#send(client, { type: 'resync_required', since, lastSeq: this.#lastSeq });
      return;
    }
    try {
      while (cursor < client.liveAfter) {
        const page = this.#spine.read(`team.${team}.*`, cursor, RESUME_PAGE);
        if (page.resyncRequired) {
          this.#send(client, { type: 'resync_required', since, lastSeq: this.#lastSeq });
          return;
        }
        for (const event of page.events) {
          if (event.seq > client.liveAfter) break;
          const guarded = guardedTopicOf(event, this.#guardedPrefixes);
          if (event.team === team && (guarded === undefined || client.topics.has(guarded))) missed.push(event);
        }
        if (page.events.length < RESUME_PAGE) break;
        cursor = page.next;
      }
    } catch (error) {
      this.#log.warn('websocket resume failed', { error });
      this.#send(client, { type: 'resync_required', since, lastSeq: this.#lastSeq });
      return;
    }
    // Past the buffer limit the socket closes part-way, after the events sent so far: the client's
    // next resume starts from the last of them, so each attempt makes progress.
    const { maxBufferedBytes } = this.#limits();
    for (const event of missed) if (!this.#write(client, wireMessage(event), maxBufferedBytes)) return;
    this.#send(client, { type: 'resumed', since, count: missed.length, next: Math.max(since, client.liveAfter) });
  }

  #deliver(event: FleetEvent): void {
    this.#lastSeq = event.seq;
    const guarded = guardedTopicOf(event, this.#guardedPrefixes);
    let payload: string | undefined;
    let maxBufferedBytes: number | undefined;
    for (const client of this.#clients) {
      if (!client.identity || client.identity.teamName !== event.team) continue;
      if (guarded !== undefined && !client.topics.has(guarded)) continue;
      payload ??= wireMessage(event);
      maxBufferedBytes ??= this.#limits().maxBufferedBytes;
      this.#write(client, payload, maxBufferedBytes);
    }
  }

  #ping(): void {
    for (const client of this.#clients) {
      if (!client.alive) {
        this.#log.debug('terminating unresponsive socket', { uid: client.identity?.uid });
        client.socket.terminate();
        this.#clients.delete(client);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }
}
