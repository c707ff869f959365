import { watch } from 'chokidar';

/**
 * Call `onChange` when the config file is written, including editors' write-to-temp-and-rename
 * saves. awaitWriteFinish keeps a half-written file from being read.
 */
export async function watchConfigFile(path: string, onChange: () => void): Promise<{ close(): Promise<void> }> {
  const watcher = watch(path, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 80, pollInterval: 20 } });
  watcher.on('change', onChange).on('add', onChange);
  await new Promise<void>((resolveReady) => watcher.once('ready', () => resolveReady()));
  return { close: () => watcher.close() };
}
