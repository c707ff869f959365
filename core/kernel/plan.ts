import * as v from 'valibot';
import { describeIssues } from '../config/schema.js';
import { FleetError } from '../errors.js';
import type { AnyPlugin } from '../plugin.js';

export type PluginState = { name: string; state: 'on' } | { name: string; state: 'off'; reason: string };

/** Which plugins run, in which order, with which options, and why the others do not. */
export interface PluginPlan {
  order: string[];
  options: Map<string, unknown>;
  states: PluginState[];
}

/**
 * Decide the plugin plan from the catalog and the config's `plugins` section.
 * Errors (unknown plugin, bad options, missing dependency, cycle) throw a coded FleetError naming
 * the plugins; a dependency that exists but is off turns its dependents off, with the reason.
 */
export function planPlugins(
  catalog: ReadonlyMap<string, AnyPlugin>,
  configured: Record<string, boolean | Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>> = {},
): PluginPlan {
  for (const name of Object.keys(configured)) {
    if (!catalog.has(name)) {
      throw new FleetError(
        'FLEET_ERR_PLUGIN_UNKNOWN',
        `plugins.${name}: no such plugin (available: ${[...catalog.keys()].sort().join(', ') || 'none'})`,
        {
          plugin: name,
        },
      );
    }
  }
  const enabled = Object.entries(configured)
    .filter(([, value]) => value !== false)
    .map(([name]) => name);

  const options = new Map<string, unknown>();
  for (const name of enabled) options.set(name, pluginOptions(catalog.get(name)!, configured[name], env));

  for (const name of enabled) {
    for (const dependency of catalog.get(name)!.dependsOn ?? []) {
      if (!catalog.has(dependency)) {
        throw new FleetError(
          'FLEET_ERR_PLUGIN_MISSING_DEPENDENCY',
          `plugin ${name} depends on ${dependency}, which does not exist`,
          {
            plugin: name,
            dependency,
          },
        );
      }
    }
  }
  assertNoCycle(catalog, enabled);

  // Turn off what depends, directly or not, on something that is off.
  const reasons = new Map<string, string>();
  const on = new Set(enabled);
  let changed = true;
  while (changed) {
    changed = false;
    for (const name of [...on]) {
      const off = (catalog.get(name)!.dependsOn ?? []).find((dependency) => !on.has(dependency));
      if (off !== undefined) {
        on.delete(name);
        reasons.set(name, `depends on ${off}, which is off`);
        changed = true;
      }
    }
  }

  const order = topologicalOrder(catalog, [...on]);
  const states: PluginState[] = [...catalog.keys()].sort().map((name) => {
    if (on.has(name)) return { name, state: 'on' };
    if (reasons.has(name)) return { name, state: 'off', reason: reasons.get(name)! };
    if (configured[name] === false) return { name, state: 'off', reason: 'turned off in the config' };
    return { name, state: 'off', reason: 'not in the config' };
  });
  return { order, options, states };
}

/**
 * One plugin's options: its `plugins.<name>` value (true means {}), then its environment variables,
 * checked by its `config` schema. A bad value names the key or the variable.
 */
export function pluginOptions(
  plugin: AnyPlugin,
  configured: boolean | Record<string, unknown> | undefined,
  env: Readonly<Record<string, string | undefined>>,
): unknown {
  const name = plugin.name;
  const fromFile = typeof configured === 'object' ? configured : {};
  const fromEnv = envOptions(plugin, env);
  const raw = { ...fromFile, ...fromEnv };
  if (!plugin.config) {
    if (Object.keys(raw).length > 0) {
      throw new FleetError('FLEET_ERR_CONFIG_INVALID', `plugins.${name}: takes no options (use true or false)`, {
        plugin: name,
      });
    }
    return {};
  }
  const schema = plugin.config as v.GenericSchema;
  const parsed = v.safeParse(schema, raw);
  if (parsed.success) return parsed.output;
  const firstKey = parsed.issues[0]?.path?.[0]?.key;
  const variable = Object.entries(plugin.env ?? {}).find(([, key]) => firstKey === key && key in fromEnv)?.[0];
  if (variable) {
    const lines = describeIssues(parsed.issues).map((line) => line.replace(/^[^:]*: /, ''));
    throw new FleetError('FLEET_ERR_CONFIG_INVALID', `environment: ${variable}: ${lines.join('; ')}`, {
      plugin: name,
      variable,
    });
  }
  throw new FleetError('FLEET_ERR_CONFIG_INVALID', describeIssues(parsed.issues, `plugins.${name}`).join('; '), {
    plugin: name,
  });
}

/**
 * Options a plugin takes from the environment (`env: { MAX_WORKERS: 'max' }`): whole numbers
 * become numbers, `true`/`false` booleans, anything else stays text; the plugin's schema checks them.
 */
function envOptions(plugin: AnyPlugin, env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(plugin.env ?? {})) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    options[key] = /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return options;
}

function assertNoCycle(catalog: ReadonlyMap<string, AnyPlugin>, roots: readonly string[]): void {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const at = path.indexOf(name);
    if (at !== -1) {
      const cycle = [...path.slice(at), name];
      throw new FleetError('FLEET_ERR_PLUGIN_CYCLE', `plugin dependency cycle: ${cycle.join(' → ')}`, {
        plugins: cycle.slice(0, -1),
      });
    }
    path.push(name);
    for (const dependency of catalog.get(name)?.dependsOn ?? []) visit(dependency);
    path.pop();
    done.add(name);
  };
  for (const name of roots) visit(name);
}

const edgesOf = (plugin: AnyPlugin): readonly string[] => [
  ...(plugin.dependsOn ?? []),
  ...(plugin.optionalDependsOn ?? []),
];

/**
 * Dependencies first (optional ones too, when they run); ties broken by name so the order never
 * depends on the config's order.
 */
function topologicalOrder(catalog: ReadonlyMap<string, AnyPlugin>, names: readonly string[]): string[] {
  const remaining = new Set(names);
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter((name) => edgesOf(catalog.get(name)!).every((d) => !remaining.has(d))).sort();
    if (ready.length === 0) {
      const stuck = [...remaining].sort();
      throw new FleetError('FLEET_ERR_PLUGIN_CYCLE', `plugin dependency cycle among: ${stuck.join(', ')}`, {
        plugins: stuck,
      });
    }
    for (const name of ready) {
      remaining.delete(name);
      order.push(name);
    }
  }
  return order;
}
