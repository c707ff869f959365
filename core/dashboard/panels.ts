import { basename, dirname } from 'node:path';
import type { PanelDefinition } from '../plugin.js';

/** A running plugin as the dashboard sees it: its name and its panel, if it has one. */
export interface PanelSource {
  name: string;
  panel: PanelDefinition | undefined;
}

/** One entry of `GET /dashboard/panels`. */
export interface PanelInfo {
  plugin: string;
  title: string;
  order: number;
  /** The module the shell imports: `/dashboard/panels/<plugin>/<entry file>`. */
  url: string;
}

export const DEFAULT_PANEL_ORDER = 100;

export function panelInfo(plugin: string, panel: PanelDefinition): PanelInfo {
  return {
    plugin,
    title: panel.title,
    order: panel.order ?? DEFAULT_PANEL_ORDER,
    url: `/dashboard/panels/${plugin}/${basename(panel.entry)}`,
  };
}

/** The panels of the plugins running now, in nav order (then by name). */
export function livePanels(running: Iterable<PanelSource>): PanelInfo[] {
  const panels: PanelInfo[] = [];
  for (const { name, panel } of running) if (panel) panels.push(panelInfo(name, panel));
  return panels.sort((a, b) => a.order - b.order || a.plugin.localeCompare(b.plugin));
}

/** The folder a running plugin's panel is served from, or undefined when it is off or has none. */
export function panelFolder(running: Iterable<PanelSource>, plugin: string): string | undefined {
  for (const { name, panel } of running) if (name === plugin && panel) return dirname(panel.entry);
  return undefined;
}
