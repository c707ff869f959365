/**
 * Live reload follows fleet.config.ts however it is written. A watch on the file itself stayed on
 * the inode that `sed -i` (or an editor's save by rename) replaced: after
 * `cp good.ts fleet.config.ts; sed -i … fleet.config.ts` no later edit was applied or logged.
 * Real files in a temp dir, a real fleet booted from the config file and watching it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  freePort,
  requestJson,
  startFleet,
  startServerProcess,
  type TestFleet,
  type TestLike,
  tempDir,
  waitFor,
} from '../kit/index.js';

const configText = (metrics: boolean) => `export default ${JSON.stringify({ plugins: { auth: true, metrics } })};\n`;

interface Watched {
  fleet: TestFleet;
  dir: string;
  file: string;
  /** Wait until /metrics answers as the config now says and the log says so. */
  applied(metrics: boolean, what: string): Promise<void>;
}

async function watchedFleet(t: TestLike): Promise<Watched> {
  const dir = tempDir(t, 'fleet-watch-');
  const file = join(dir, 'fleet.config.ts');
  writeFileSync(file, configText(true));
  // The two configs an edit switches between, beside it as a person would keep them.
  writeFileSync(join(dir, 'good.ts'), configText(true));
  writeFileSync(join(dir, 'off.ts'), configText(false));
  const fleet = await startFleet(t, { configFile: file });
  let logged = { on: 0, off: 0 };
  const count = (state: 'on' | 'off') =>
    fleet.logs.filter((line) => line.includes(`plugin metrics ${state}`) && !line.includes('fleet stopping')).length;
  logged = { on: count('on'), off: count('off') };
  return {
    fleet,
    dir,
    file,
    async applied(metrics, what) {
      const state = metrics ? 'on' : 'off';
      await waitFor(`${what}: metrics ${state}`, async () => {
        const status = (await fleet.request('GET', '/metrics')).status;
        return status === (metrics ? 200 : 404) && count(state) > logged[state];
      });
      logged = { on: count('on'), off: count('off') };
    },
  };
}

/** `sed -i` as a shell user runs it: GNU sed writes a temp file and renames it over the original. */
function sedInPlace(file: string, from: boolean, to: boolean): void {
  execFileSync('sed', ['-i', `s/"metrics":${from}/"metrics":${to}/`, file]);
}

t.test('every way of writing the config keeps being applied, one after another', async (t) => {
  const w = await watchedFleet(t);
  const inode = () => statSync(w.file).ino;

  // The report's sequence, in one go: copy a good config over, then sed -i it.
  execFileSync('sh', ['-c', `cp good.ts fleet.config.ts; sed -i 's/"metrics":true/"metrics":false/' fleet.config.ts`], {
    cwd: w.dir,
  });
  await w.applied(false, 'cp then sed -i');

  // What used to go unheard: any later edit. First one in place (the same inode).
  const before = inode();
  writeFileSync(w.file, configText(true));
  t.equal(inode(), before, 'an in-place write keeps the inode');
  await w.applied(true, 'an in-place edit after sed -i');

  sedInPlace(w.file, true, false);
  t.not(inode(), before, 'sed -i replaced the file');
  await w.applied(false, 'sed -i');

  // An editor's atomic save: write a temp file beside it, rename it over.
  const temp = join(w.dir, '.fleet.config.ts.tmp');
  writeFileSync(temp, configText(true));
  renameSync(temp, w.file);
  await w.applied(true, 'a save by rename');

  execFileSync('cp', ['off.ts', 'fleet.config.ts'], { cwd: w.dir });
  await w.applied(false, 'cp over it');

  copyFileSync(join(w.dir, 'good.ts'), w.file);
  await w.applied(true, 'a copy over it from node');

  // vim's way with backupcopy=no: the original renamed away, a new file written in its place.
  renameSync(w.file, `${w.file}~`);
  writeFileSync(w.file, configText(false));
  await w.applied(false, 'rename away, write anew');

  rmSync(w.file);
  writeFileSync(w.file, configText(true));
  await w.applied(true, 'delete, write anew');

  sedInPlace(w.file, true, false);
  await w.applied(false, 'sed -i again');
  writeFileSync(w.file, configText(true));
  await w.applied(true, 'and a last in-place edit');
});

t.test('a rejected config in between does not stop later edits', async (t) => {
  const w = await watchedFleet(t);
  execFileSync('sh', ['-c', `sed -i 's/"metrics":true/"metrics":"yes"/' fleet.config.ts`], { cwd: w.dir });
  await waitFor('the rejection', () => w.fleet.logs.some((line) => line.includes('config rejected')));
  t.equal((await w.fleet.request('GET', '/metrics')).status, 200, 'the last good config stays');
  execFileSync('sh', ['-c', `sed -i 's/"metrics":"yes"/"metrics":false/' fleet.config.ts`], { cwd: w.dir });
  await w.applied(false, 'sed -i after a rejected sed -i');
});

t.test('a config file that is a symlink: edits of its target and a new target both apply', async (t) => {
  const dir = tempDir(t, 'fleet-watch-link-');
  const configs = join(dir, 'configs');
  execFileSync('mkdir', [configs]);
  writeFileSync(join(configs, 'a.ts'), configText(true));
  writeFileSync(join(configs, 'b.ts'), configText(false));
  const file = join(dir, 'fleet.config.ts');
  symlinkSync(join(configs, 'a.ts'), file);
  const fleet = await startFleet(t, { configFile: file });
  const metrics = async () => (await fleet.request('GET', '/metrics')).status;
  t.equal(await metrics(), 200);

  sedInPlace(join(configs, 'a.ts'), true, false);
  await waitFor('an edit of the target to apply', async () => (await metrics()) === 404);
  writeFileSync(join(configs, 'a.ts'), configText(true));
  await waitFor('the next edit of the target to apply', async () => (await metrics()) === 200);

  // Point the link elsewhere, by rename as `ln -sfn` does.
  symlinkSync(join(configs, 'b.ts'), `${file}.new`);
  renameSync(`${file}.new`, file);
  await waitFor('the new target to apply', async () => (await metrics()) === 404);
});

t.test('the real `fleet up`: cp then sed -i, then more sed -i, each applied and logged', async (t) => {
  const dir = tempDir(t, 'fleet-watch-up-');
  const file = join(dir, 'fleet.config.ts');
  writeFileSync(file, configText(true));
  writeFileSync(join(dir, 'good.ts'), configText(true));
  const port = await freePort();
  const fleet = await startServerProcess(t, {
    configFile: file,
    cwd: dir,
    port,
    env: { PORT: String(port), FLEET_DATA_DIR: join(dir, 'data') },
  });
  const metrics = async () => (await requestJson(fleet.url, 'GET', '/metrics')).status;
  const logged = (state: string) =>
    fleet
      .output()
      .split('\n')
      .filter((line) => line.includes(`plugin metrics ${state}`));
  const sh = (script: string) => execFileSync('sh', ['-c', script], { cwd: dir });

  // `fleet up` says it listens once the watcher is armed too (the kernel's own log line comes before).
  await waitFor('fleet up to be up', () => fleet.output().includes('fleet up: listening on'));

  sh(`cp good.ts fleet.config.ts; sed -i 's/"metrics":true/"metrics":false/' fleet.config.ts`);
  await waitFor('cp; sed -i to apply', async () => (await metrics()) === 404 && logged('off').length === 1);
  for (let round = 1; round <= 2; round++) {
    sh(`sed -i 's/"metrics":false/"metrics":true/' fleet.config.ts`);
    await waitFor(
      `sed -i ${round} (on) to apply`,
      async () => (await metrics()) === 200 && logged('on').length === round + 1,
    );
    sh(`sed -i 's/"metrics":true/"metrics":false/' fleet.config.ts`);
    await waitFor(
      `sed -i ${round} (off) to apply`,
      async () => (await metrics()) === 404 && logged('off').length === round + 1,
    );
  }
  t.pass('every edit applied');
});
