// Bundle `fleet mcp` (the stdio bridge) into dist/fleet-mcp.mjs with esbuild, so the bridge that
// Claude Code starts for every worker runs as plain JavaScript, without the TypeScript loader.
// bin/fleet.mjs uses the bundle only while it is newer than every source file it was built from.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist'), { recursive: true });
let result;
try {
  result = await build({
    entryPoints: [join(root, 'core/mcp/bridge-main.ts')],
    outfile: join(root, 'dist/fleet-mcp.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
  });
} catch (error) {
  // Without the bundle `fleet mcp` still works, through the TypeScript loader: warn, do not fail the install.
  console.warn(`build-bridge: ${error.message}; fleet mcp will run through tsx`);
  process.exit(0);
}
const inputs = Object.keys(result.metafile.inputs).map((input) => join(root, input));
writeFileSync(join(root, 'dist/fleet-mcp.inputs.json'), JSON.stringify(inputs));
console.log(`dist/fleet-mcp.mjs built from ${inputs.length} files`);
