import * as v from 'valibot';

const seconds = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

/** One check: an argument vector (never a shell string), where it runs, how long it may take. */
export const auditCheck = v.strictObject({
  name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, 'must be 1–50 letters, digits, ., _ or -')),
  command: v.pipe(
    v.array(v.pipe(v.string(), v.maxLength(10_000)), 'must be an argument vector (a list of strings)'),
    v.minLength(1, 'must name a program'),
    v.maxLength(200),
  ),
  /** Default: the fleet's working directory. */
  cwd: v.optional(v.pipe(v.string(), v.minLength(1))),
  timeoutSeconds: v.optional(seconds(1, 86_400), 600),
});
export type AuditCheck = v.InferOutput<typeof auditCheck>;

const checkList = v.pipe(
  v.array(auditCheck),
  v.check((checks) => new Set(checks.map((c) => c.name)).size === checks.length, 'check names must be unique'),
);

/** `plugins.scheduler.audit` (a part of the plugin's options). */
export const auditOptionsSchema = v.optional(
  v.strictObject({
    /** Checks of every team that has none of its own below. */
    checks: v.optional(checkList, []),
    /** A team's own checks (replacing the fleet's). */
    teams: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,50}$/)), checkList), {}),
    maxIterations: v.optional(seconds(1, 100), 20),
    /** How often the loop looks whether the tasks it opened are resolved. */
    pollSeconds: v.optional(v.pipe(v.number(), v.minValue(0.01), v.maxValue(3600)), 10),
    /** The loop gives up (failed) when its tasks stay open this long. */
    waitSeconds: v.optional(seconds(1, 30 * 86_400), 86_400),
    /** Output lines kept per run (the newest). */
    maxLinesPerRun: v.optional(seconds(100, 1_000_000), 10_000),
    /** Lines of a failing check's output quoted in its task. */
    tailLines: v.optional(seconds(1, 500), 40),
    /** Between SIGTERM and SIGKILL of a check's process group. */
    graceSeconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(600)), 5),
  }),
  {},
);
export type AuditOptions = v.InferOutput<typeof auditOptionsSchema>;
