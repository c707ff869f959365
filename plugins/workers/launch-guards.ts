/**
 * Launch guards: what another plugin (the policy plugin, say) asks of every worker the fleet
 * launches, without this plugin knowing it by name. A guard contributes Claude Code settings for
 * claude workers (merged with other guards' into `<worker dir>/settings.json`, passed with
 * `--settings`, on the first launch, on restarts and on --resume alike), may narrow the settings
 * files Claude Code reads (`--setting-sources`), and says whether workers it cannot enforce (command
 * adapters: other CLIs) may be spawned at all.
 */

/** The worker a guard's settings are for. */
export interface GuardedWorker {
  teamName: string;
  handle: string;
}

/** A Claude Code settings source that `--setting-sources` can name. */
export type SettingSource = 'user' | 'project' | 'local';

export interface LaunchGuard {
  /** Who asks (`policy`): named in logs and in a refusal. */
  name: string;
  /** Claude Code settings (e.g. hooks) for each claude worker. */
  claudeSettings?: Record<string, unknown> | ((worker: GuardedWorker) => Record<string, unknown>);
  /**
   * The settings files Claude Code may read besides `--settings` ([] = none). A hook in `--settings`
   * is turned off by `disableAllHooks` in any file Claude Code reads, including ones the agent can
   * write itself (.claude/settings.local.json): a guard whose settings must hold leaves them out.
   * Undefined: this guard does not narrow them. With several guards, only sources all allow are read.
   */
  settingSources?: readonly SettingSource[];
  /** Refuse to spawn (or restart) workers this guard cannot enforce: command adapters. */
  strict?: boolean | (() => boolean);
}

/** What a claude worker's launch gets from the guards. */
export interface GuardedLaunch {
  /** The merged settings, or undefined when no guard contributes any. */
  settings: Record<string, unknown> | undefined;
  /** `--setting-sources` value, or undefined when no guard narrows them. */
  settingSources: SettingSource[] | undefined;
}

export type Enforcement = 'enforced' | 'unenforced';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merge settings: objects key by key, arrays one after the other (two guards' PreToolUse hooks both
 * run), anything else the later one's. Neither input is changed.
 */
export function mergeSettings(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const before = out[key];
    if (Array.isArray(before) && Array.isArray(value)) out[key] = [...(before as unknown[]), ...(value as unknown[])];
    else if (isPlainObject(before) && isPlainObject(value)) out[key] = mergeSettings(before, value);
    else out[key] = value;
  }
  return out;
}

/** The guards in force, in the order they were added. */
export class LaunchGuards {
  readonly #guards: LaunchGuard[] = [];

  /** Add a guard; the function returned removes it (again: a no-op). */
  add(guard: LaunchGuard): () => void {
    const entry = { ...guard };
    this.#guards.push(entry);
    return () => {
      const at = this.#guards.indexOf(entry);
      if (at !== -1) this.#guards.splice(at, 1);
    };
  }

  /** Whether any guard is in force: then every worker's view says whether it is enforced. */
  get active(): boolean {
    return this.#guards.length > 0;
  }

  /** What a claude worker is launched with. */
  claudeLaunch(worker: GuardedWorker): GuardedLaunch {
    let settings: Record<string, unknown> | undefined;
    let sources: SettingSource[] | undefined;
    for (const guard of this.#guards) {
      const contributed =
        typeof guard.claudeSettings === 'function' ? guard.claudeSettings(worker) : guard.claudeSettings;
      if (contributed) settings = mergeSettings(settings ?? {}, contributed);
      if (guard.settingSources) {
        const allowed = guard.settingSources;
        sources = (sources ?? [...allowed]).filter((source) => allowed.includes(source));
      }
    }
    return { settings, settingSources: sources };
  }

  /** The first strict guard's name: workers it cannot enforce are refused. */
  strictGuard(): string | undefined {
    return this.#guards.find((guard) => (typeof guard.strict === 'function' ? guard.strict() : guard.strict === true))
      ?.name;
  }
}
