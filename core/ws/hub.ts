import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Identity } from '../auth/identity.js';
import type { TokenService } from '../auth/tokens.js';
import type { EventSpine, FleetEvent } from '../events/types.js';
import type { Logger } from '../log.js';

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
}

const TOPIC_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_MESSAGE_BYTES = 64 * 1024;

/** Events read per page when resuming a socket. */
const RESUME_PAGE = 1000;

/** A `since` a client may send: a seq, 0 for everything still held. */
function isCursor(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
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
  /** The newest seq the hub has seen; it hears every event from the spine. */
  #lastSeq = 0;

  constructor(options: {
    server: Server;
    spine: EventSpine;
    tokens: TokenService;
    log: Logger;
    pingSeconds: number;
    guarded: readonly { prefix: string; key: string }[];
  }) {
    this.#guards = options.guarded;
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

  get connections(): number {
    return this.#clients.size;
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
    const client: Client = {
      socket,
      identity: undefined,
      topics: new Set(),
      alive: true,
      queue: Promise.resolve(),
      liveAfter: 0,
    };
    this.#clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      const text = isBinary
        ? undefined
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
      client.queue = client.queue
        .then(() => this.#onMessage(client, text))
        .catch((error) => this.#log.warn('websocket message failed', { error }));
    });
    socket.on('close', () => this.#clients.delete(client));
    socket.on('error', () => this.#clients.delete(client));
  }

  #send(client: Client, message: Record<string, unknown>): void {
    if (client.socket.readyState === WebSocket.OPEN) client.socket.send(JSON.stringify(message));
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
        const result =
          typeof message.token === 'string'
            ? await this.#tokens.verify(message.token)
            : ({ ok: false, reason: 'invalid' } as const);
        if (!result.ok) {
          this.#send(client, {
            type: 'error',
            message: result.reason === 'expired' ? 'Token expired' : 'Invalid token',
          });
          return;
        }
        // A new identity starts with no chat subscriptions: the old one's memberships are not its own.
        if (client.identity?.uid !== result.identity.uid) client.topics.clear();
        client.identity = result.identity;
        client.liveAfter = this.#lastSeq;
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
    for (const event of missed) if (client.socket.readyState === WebSocket.OPEN) client.socket.send(wireMessage(event));
    this.#send(client, { type: 'resumed', since, count: missed.length, next: Math.max(since, client.liveAfter) });
  }

  #deliver(event: FleetEvent): void {
    this.#lastSeq = event.seq;
    const guarded = guardedTopicOf(event, this.#guardedPrefixes);
    let payload: string | undefined;
    for (const client of this.#clients) {
      if (!client.identity || client.identity.teamName !== event.team) continue;
      if (guarded !== undefined && !client.topics.has(guarded)) continue;
      payload ??= wireMessage(event);
      if (client.socket.readyState === WebSocket.OPEN) client.socket.send(payload);
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
