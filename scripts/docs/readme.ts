import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AnyPlugin } from '../../core/plugin.js';
import { REPO_ROOT } from './load-plugin.js';
import { spliceGenerated } from './markdown.js';
import { renderReference } from './reference.js';

export interface ReadmeStatus {
  /** The README's path from the repository root, for messages. */
  path: string;
  /** Its content differs from what the generator would write (or it does not exist). */
  stale: boolean;
}

/** What a new README starts with before its generated part: the plugin's name and description. */
function skeleton(plugin: AnyPlugin): string {
  return `# ${plugin.name}\n\n${plugin.description ?? ''}\n`;
}

/** The README as it should be: its hand-written part as it is, its generated part fresh. */
export async function expectedReadme(
  plugin: AnyPlugin,
  dir: string,
): Promise<{ file: string; current?: string; next: string }> {
  const file = join(dir, 'README.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const next = spliceGenerated(current ?? skeleton(plugin), await renderReference(plugin));
  return { file, current, next };
}

/** Whether a plugin's README is out of date, without touching it. */
export async function checkReadme(plugin: AnyPlugin, dir: string): Promise<ReadmeStatus> {
  const { file, current, next } = await expectedReadme(plugin, dir);
  return { path: relative(REPO_ROOT, file), stale: current !== next };
}

/** Regenerate a plugin's README; written only when it changed, so its mtime means something. */
export async function writeReadme(plugin: AnyPlugin, dir: string): Promise<ReadmeStatus> {
  const { file, current, next } = await expectedReadme(plugin, dir);
  if (current !== next) writeFileSync(file, next);
  return { path: relative(REPO_ROOT, file), stale: current !== next };
}
