// npm install's last step: build the native crates when a Rust toolchain is here. It never fails
// the install: without cargo, or if the build breaks, the TypeScript fallbacks are used.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'scripts', 'build-native.sh');

if (process.env.FLEET_SKIP_NATIVE_BUILD === '1' || !existsSync(script) || !existsSync(join(root, 'Cargo.toml'))) {
  process.exit(0);
}
const result = spawnSync('bash', [script, '--if-cargo'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.warn('# native build failed; the TypeScript fallbacks will be used (retry with: npm run build:native)');
}
process.exit(0);
