import type { Logger } from './log.js';

/**
 * Error codes of a socket or stream whose other end went away (or was closed under a write). Every
 * socket and stream the fleet owns has an 'error' listener; one that slips through (a library's, a
 * listener missed) is one broken connection, not a reason to end every team's server.
 */
const CONNECTION_ERROR_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNABORTED',
  'ECONNREFUSED',
  'ENOTCONN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CLOSED',
]);

/** Whether an uncaught error is a socket or stream error the server can survive (see CONNECTION_ERROR_CODES). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && CONNECTION_ERROR_CODES.has(code);
}

export interface ProcessGuardOptions {
  /** The log at the time of the error (the kernel's once it has booted). */
  log: () => Logger;
  /** Ends the process after an error that is not a connection error (process.exit; a stub in tests). */
  exit?: (code: number) => void;
  /** Connection errors logged per window; more are counted, and summed up once the window ends. */
  maxLogged?: number;
  windowMs?: number;
}

/**
 * Keep `fleet up` serving through a stray socket error: an uncaught exception or unhandled
 * rejection that is a connection error (isConnectionError) is logged and the server goes on; any
 * other is a bug, logged with its stack, and the process exits 1 as Node would have ended it.
 * Logging is bounded per window: a log sink whose own stream is broken (stderr's reader gone) would
 * otherwise feed the guard one error per line it writes. Returns a function that removes the guard.
 */
export function installProcessGuard(options: ProcessGuardOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const maxLogged = options.maxLogged ?? 20;
  const windowMs = options.windowMs ?? 10_000;
  let windowStart = 0;
  let logged = 0;
  let suppressed = 0;

  const handle = (error: unknown, origin: 'uncaughtException' | 'unhandledRejection') => {
    if (!isConnectionError(error)) {
      try {
        options.log().error(`${origin}: exiting`, { error });
      } finally {
        exit(1);
      }
      return;
    }
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      if (suppressed > 0) options.log().warn(`${suppressed} more socket errors were not logged`, { windowMs });
      windowStart = now;
      logged = 0;
      suppressed = 0;
    }
    if (logged >= maxLogged) {
      suppressed++;
      return;
    }
    logged++;
    const { code, syscall } = error as NodeJS.ErrnoException;
    options.log().warn(`${origin}: a socket error nothing listened for; still serving`, {
      code,
      syscall,
      error: (error as Error).message,
    });
  };
  const onException = (error: unknown) => handle(error, 'uncaughtException');
  const onRejection = (reason: unknown) => handle(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
