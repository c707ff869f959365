import type { LogLevel } from '../log.js';

/** What `fleet.config.ts` may say. Every key is optional; defaults fill the rest. */
export interface FleetConfigInput {
  server?: {
    /** Interface to bind. Defaults to 127.0.0.1: the fleet is not reachable from other machines unless you say so. */
    host?: string;
    /** Port to listen on; 0 picks a free one. Default 3847. */
    port?: number;
    /** The URL agents and `fleet mcp` use to reach this fleet. Default http://<host>:<port>. */
    publicUrl?: string;
    /**
     * More names this fleet answers to in `Host` and `Origin` (a proxy's name, a LAN name): `name`
     * (any port) or `name:port`. Its own loopback names, and on a non-loopback bind its addresses and
     * hostname, are always allowed; any other Host gets 403 (no DNS rebinding). Default none.
     */
    allowedHosts?: string[];
    /** Largest request body accepted, in bytes (413 above it). Default 1 MiB. */
    bodyLimit?: number;
    rateLimit?: { windowMs?: number; max?: number; teamMax?: number; authFailuresMax?: number };
    /** Seconds between the server's WebSocket pings. Default 30. */
    wsPingSeconds?: number;
    /** Limits on `/ws` sockets, so no client can hold the server's memory or time. */
    websocket?: {
      /** Seconds a socket may stay unauthenticated before it is closed (4401). Default 10. */
      authTimeoutSeconds?: number;
      /** Sockets open at once in total; past it the upgrade is answered 503. Default 1000. */
      maxSockets?: number;
      /** Authenticated sockets per agent; the next one to authenticate is closed (4429). Default 20. */
      maxSocketsPerAgent?: number;
      /** Unsent bytes a socket may have before a send closes it as a slow consumer (4008). Default 1 MiB. */
      maxBufferedBytes?: number;
      /** Messages a socket may send a minute; past it it is closed (4429). Default 600. */
      messagesPerMinute?: number;
    };
  };
  storage?: { driver: 'sqlite'; path?: string } | { driver: 'postgres'; url: string };
  /** Where the database, keys and worker logs live. Default ./.fleet beside the config file. */
  dataDir?: string;
  auth?: { jwtExpiresIn?: string };
  log?: { level?: LogLevel };
  events?: { ringCapacity?: number };
  /** Each plugin: true (on, default options), false (off), or its options object (on). */
  plugins?: Record<string, boolean | Record<string, unknown>>;
}

/** The resolved configuration: every default applied, every path absolute. */
export interface FleetConfig {
  server: {
    host: string;
    port: number;
    publicUrl: string | undefined;
    allowedHosts: readonly string[];
    bodyLimit: number;
    rateLimit: { windowMs: number; max: number; teamMax: number; authFailuresMax: number };
    wsPingSeconds: number;
    websocket: {
      authTimeoutSeconds: number;
      maxSockets: number;
      maxSocketsPerAgent: number;
      maxBufferedBytes: number;
      messagesPerMinute: number;
    };
  };
  storage: { driver: 'sqlite'; path: string } | { driver: 'postgres'; url: string };
  dataDir: string;
  auth: { jwtExpiresIn: string; jwtSecret: string | undefined; adminKey: string | undefined };
  log: { level: LogLevel };
  events: { ringCapacity: number };
  plugins: Record<string, boolean | Record<string, unknown>>;
  /**
   * FLEET_TMUX_SOCKET: the fleet's tmux server, over the socket a plugin's options name. Unset, the
   * socket is the configured one, else one derived from the data dir (`fleetTmuxSocket`).
   */
  tmuxSocket: string | undefined;
  /** The file this was loaded from, if any. */
  configPath: string | undefined;
  /** The environment it was resolved with: plugins read their own variables from it (`env` of definePlugin). */
  env: Readonly<Record<string, string | undefined>>;
}
