import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { watch } from 'chokidar';

/**
 * What the file is now (inode, time, size and a digest of its bytes), or undefined while it is
 * missing: a state seen before is not reported twice.
 */
function stateOf(file: string): string | undefined {
  try {
    const stat = statSync(file);
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}:${digest}`;
  } catch {
    return undefined;
  }
}

/**
 * Call `onChange` when the config file is written: edited in place, copied over, replaced by a
 * rename (an editor's atomic save, `sed -i`), or removed and written again. The directory is
 * watched, not the file: a watch on the file stays on the inode a rename replaced and goes deaf.
 * awaitWriteFinish keeps a half-written file from being read.
 */
export async function watchConfigFile(path: string, onChange: () => void): Promise<{ close(): Promise<void> }> {
  const file = resolve(path);
  const real = (at: string) => {
    try {
      return realpathSync(at);
    } catch {
      return at;
    }
  };
  // Folders are watched by their real path (a symlinked /tmp), where the config's entry is; when
  // the config is a symlink, its target's folder too, for edits of the target.
  const entry = join(real(dirname(file)), basename(file));
  const dirs = [...new Set([dirname(entry), dirname(real(file))])];
  const wanted = (candidate: string) => {
    const path = resolve(candidate);
    return dirs.includes(path) || path === entry || path === real(file);
  };
  let last = stateOf(file);
  const changed = () => {
    const now = stateOf(file);
    // Gone (mid-replace, or deleted): the write that brings it back is reported.
    if (now === undefined || now === last) return;
    last = now;
    onChange();
  };
  const watcher = watch(dirs, {
    ignoreInitial: true,
    depth: 0,
    // The link itself is watched (re-pointing it is an edit); its target through the target's folder.
    followSymlinks: false,
    ignored: (candidate) => !wanted(candidate),
    awaitWriteFinish: { stabilityThreshold: 80, pollInterval: 20 },
  });
  watcher.on('change', changed).on('add', changed);
  await new Promise<void>((resolveReady) => watcher.once('ready', () => resolveReady()));
  return { close: () => watcher.close() };
}
