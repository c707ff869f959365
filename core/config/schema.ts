import * as v from 'valibot';
import { LOG_LEVELS } from '../log.js';

const port = v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(0, 'must be 0–65535'),
  v.maxValue(65535, 'must be 0–65535'),
);
const positiveInt = v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(1, 'must be at least 1'),
);
const nonEmpty = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));
const duration = v.pipe(
  v.string('must be a string'),
  v.regex(/^\d+\s*(s|m|h|d|w|y)?$/, 'must be a duration such as 3600, 30m, 24h or 7d'),
);
const url = v.pipe(v.string('must be a string'), v.url('must be a URL'));

/** The shape of fleet.config.ts. strictObject so a typo (`sever:`) is named instead of ignored. */
export const configSchema = v.strictObject(
  {
    server: v.optional(
      v.strictObject({
        host: v.optional(nonEmpty),
        port: v.optional(port),
        publicUrl: v.optional(url),
        allowedHosts: v.optional(
          v.pipe(
            v.array(
              v.pipe(
                v.string('must be a string'),
                v.regex(
                  /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]/@]+)(:\d{1,5})?$/,
                  'must be a host name or address, optionally with :port (no scheme or path)',
                ),
              ),
              'must be an array of host names',
            ),
            v.maxLength(100, 'must have at most 100 names'),
          ),
        ),
        bodyLimit: v.optional(positiveInt),
        rateLimit: v.optional(
          v.strictObject({
            windowMs: v.optional(positiveInt),
            max: v.optional(positiveInt),
            teamMax: v.optional(positiveInt),
            authFailuresMax: v.optional(positiveInt),
          }),
        ),
        wsPingSeconds: v.optional(positiveInt),
        websocket: v.optional(
          v.strictObject({
            authTimeoutSeconds: v.optional(positiveInt),
            maxSockets: v.optional(positiveInt),
            maxSocketsPerAgent: v.optional(positiveInt),
            maxBufferedBytes: v.optional(positiveInt),
            messagesPerMinute: v.optional(positiveInt),
          }),
        ),
      }),
    ),
    storage: v.optional(
      v.variant(
        'driver',
        [
          v.strictObject({ driver: v.literal('sqlite'), path: v.optional(nonEmpty) }),
          v.strictObject({
            driver: v.literal('postgres'),
            url: v.pipe(v.string('must be a string'), v.regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
          }),
        ],
        'must be { driver: "sqlite", path? } or { driver: "postgres", url }',
      ),
    ),
    dataDir: v.optional(nonEmpty),
    auth: v.optional(v.strictObject({ jwtExpiresIn: v.optional(duration) })),
    log: v.optional(
      v.strictObject({ level: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)) }),
    ),
    events: v.optional(v.strictObject({ ringCapacity: v.optional(positiveInt) })),
    plugins: v.optional(
      v.record(
        v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'plugin names are lower-case words')),
        v.union([v.boolean(), v.record(v.string(), v.unknown())], 'must be true, false or an options object'),
      ),
    ),
  },
  'must be an object',
);

/** Keys that moved into a plugin's options when that plugin took them over. */
const MOVED: Record<string, string> = {
  tmux: 'plugins.workers.tmux',
  workers: 'plugins.workers (workers.max is plugins.workers.max)',
};

/** Turn valibot issues into one readable line per problem: `server.port: must be 0–65535 (got 70000)`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): string[] {
  return issues.map((issue) => {
    const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
    const where = [prefix, path].filter(Boolean).join('.');
    let message = issue.message;
    if (
      issue.kind === 'schema' &&
      issue.type === 'strict_object' &&
      issue.input !== undefined &&
      issue.expected === 'never'
    ) {
      message = MOVED[path] ? `is not a known key: it moved to ${MOVED[path]}` : 'is not a known key';
    } else if (issue.input === undefined && issue.received === 'undefined') {
      message = 'is required';
    } else if (!/received|got/.test(message) && issue.received) {
      message = `${message} (got ${issue.received})`;
    }
    return where ? `${where}: ${message}` : message;
  });
}
