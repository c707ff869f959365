import * as v from 'valibot';

const argv = v.pipe(
  v.array(v.pipe(v.string(), v.minLength(1, 'must not be empty')), 'must be a list of arguments'),
  v.minLength(1, 'must name a program'),
);

const tmuxName = v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -'));

/** plugins.workers in fleet.config.ts. */
export const workersOptionsSchema = v.object({
  /** Live workers at most; more spawns wait in the persisted queue (env MAX_WORKERS). */
  max: v.optional(
    v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1')),
    5,
  ),
  /**
   * The fleet's own tmux server (`tmux -L <socket>`) and its session: `fleet attach` attaches to it.
   * Without a socket here (or FLEET_TMUX_SOCKET), it is `claude-fleet-<hash of the data dir>`: two
   * fleets on two data dirs never share a tmux server.
   */
  tmux: v.optional(v.object({ socket: v.optional(tmuxName), session: v.optional(tmuxName, 'fleet') }), {}),
  /** Adapter used when a spawn names none: `claude` or a key of `commands`. */
  defaultAdapter: v.optional(v.string(), 'claude'),
  claude: v.optional(
    v.object({
      /** The program (and leading arguments) that is Claude Code. */
      command: v.optional(argv, ['claude']),
      model: v.optional(v.string()),
      permissionMode: v.optional(
        v.picklist(
          ['default', 'acceptEdits', 'bypassPermissions', 'plan', 'dontAsk', 'auto'],
          'must be a Claude Code permission mode',
        ),
      ),
      appendSystemPrompt: v.optional(v.string()),
    }),
    {},
  ),
  /** Other agent CLIs by name: { aider: { argv: ['aider', '--yes'], format: 'text' } }. */
  commands: v.optional(
    v.record(
      v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'adapter names are lower-case words')),
      v.object({
        argv,
        format: v.optional(v.picklist(['text', 'ndjson'], 'must be text or ndjson'), 'text'),
        /** A line containing this means the agent is idle (e.g. its prompt); another means an error. */
        idleMarker: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
        errorMarker: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
      }),
    ),
    {},
  ),
  heartbeatSeconds: v.optional(v.pipe(v.number(), v.minValue(0.1)), 10),
  degradedSeconds: v.optional(v.pipe(v.number(), v.minValue(0.1)), 30),
  unhealthySeconds: v.optional(v.pipe(v.number(), v.minValue(0.1)), 60),
  stalledSeconds: v.optional(v.pipe(v.number(), v.minValue(0.1)), 300),
  maxRestarts: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 3),
  /**
   * After a usage limit resets, parked workers resume at most resumeBatch per resumeWindowSeconds (at
   * once they would trip the burst limiter), resetMarginSeconds after the reset time the agent gave.
   */
  quota: v.optional(
    v.object({
      resumeBatch: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 3),
      resumeWindowSeconds: v.optional(v.pipe(v.number(), v.minValue(0.1), v.maxValue(3600)), 30),
      resetMarginSeconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(3600)), 5),
    }),
    {},
  ),
  /** Where workers run when a spawn gives no workingDir. Default: the directory the fleet runs in. */
  workingDir: v.optional(v.string()),
});

export type WorkersOptions = v.InferOutput<typeof workersOptionsSchema>;
