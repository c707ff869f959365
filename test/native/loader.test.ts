import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { logstreamImplementation, nativeLogstream } from '../../core/native/logstream.js';
import { nativeDisabled } from '../../core/native/native-binary.js';
import { nativeRingbus, ringbusImplementation } from '../../core/native/ringbus.js';
import { startFleet } from '../kit/index.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRINT = fileURLToPath(new URL('./print-implementations.ts', import.meta.url));

t.test('FLEET_NATIVE values', async (t) => {
  for (const value of ['0', 'false', 'OFF', ' 0 '])
    t.equal(nativeDisabled({ FLEET_NATIVE: value }), true, JSON.stringify(value));
  for (const value of [undefined, '', '1', 'true'])
    t.equal(nativeDisabled({ FLEET_NATIVE: value }), false, JSON.stringify(value));
});

t.test('the loaders use a built binary unless told not to', async (t) => {
  t.equal(ringbusImplementation, nativeRingbus.module && !nativeDisabled() ? 'native' : 'js');
  t.equal(logstreamImplementation, nativeLogstream.module && !nativeDisabled() ? 'native' : 'js');
  if (nativeRingbus.path) t.notOk(nativeRingbus.error, 'a built ringbus binary loads');
  if (nativeLogstream.path) t.notOk(nativeLogstream.error, 'a built logstream binary loads');

  const forced = await run(process.execPath, ['--import', 'tsx', PRINT], {
    cwd: ROOT,
    env: { ...process.env, FLEET_NATIVE: '0' },
  });
  t.same(JSON.parse(forced.stdout), { ringbus: 'js', logstream: 'js' }, 'FLEET_NATIVE=0 forces the fallbacks');

  const { FLEET_NATIVE: _ignored, ...env } = process.env;
  const chosen = await run(process.execPath, ['--import', 'tsx', PRINT], { cwd: ROOT, env });
  const expected = {
    ringbus: nativeRingbus.module ? 'native' : 'js',
    logstream: nativeLogstream.module ? 'native' : 'js',
  };
  t.same(JSON.parse(chosen.stdout), expected, 'by default the binaries that exist are used');
});

t.test('fleet status says which implementations run', async (t) => {
  const fleet = await startFleet(t);
  // The implementations are the operator's to see: status presents the fleet's admin key.
  const { stdout } = await run(process.execPath, ['bin/fleet.mjs', 'status', '--url', fleet.url], {
    cwd: ROOT,
    env: { ...process.env, FLEET_URL: '', FLEET_ADMIN_KEY: fleet.adminKey },
  });
  t.match(stdout, new RegExp(`native: +ringbus=${ringbusImplementation}, logstream=${logstreamImplementation}`));
});
