import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';

// The crates' own checks, so `npm test` (and CI) runs them wherever a Rust toolchain is.
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cargoHome = process.env.CARGO_HOME ?? join(homedir(), '.cargo');
const PATH = `${join(cargoHome, 'bin')}:${process.env.PATH ?? ''}`;

async function hasCargo(): Promise<boolean> {
  try {
    await run('cargo', ['--version'], { env: { ...process.env, PATH } });
    return true;
  } catch {
    return false;
  }
}

const cargo = existsSync(join(ROOT, 'Cargo.toml')) && (await hasCargo());
const options = {
  cwd: ROOT,
  env: { ...process.env, PATH, CARGO_BUILD_JOBS: process.env.CARGO_BUILD_JOBS ?? '2' },
  maxBuffer: 16 * 1024 * 1024,
  timeout: 170_000,
};

t.test(
  "cargo fmt, clippy and the crates' unit tests pass",
  { skip: cargo ? false : 'no cargo on this machine: the Rust checks are skipped', timeout: 180_000 },
  async (t) => {
    const fmt = await run('cargo', ['fmt', '--all', '--check'], options).then(
      () => '',
      (error: Error & { stdout?: string }) => error.stdout ?? error.message,
    );
    t.equal(fmt, '', 'cargo fmt --check');
    const tests = await run('cargo', ['test', '--workspace'], options);
    const results = [...tests.stdout.matchAll(/test result: (\w+)\. (\d+) passed; (\d+) failed/g)];
    t.ok(results.length >= 2, 'both crates ran their tests');
    for (const [, status, passed, failed] of results)
      t.same([status, Number(failed)], ['ok', 0], `${passed} Rust tests passed`);
    await t.resolves(
      run('cargo', ['clippy', '--workspace', '--all-targets', '--', '-D', 'warnings'], options),
      'cargo clippy -D warnings',
    );
  },
);
