import t from 'tap';
import { nativeRingbus } from '../../core/native/ringbus.js';
import { wsResumeSuite } from './ws-resume.body.js';

// The fleet's spine on the native ringbus (the loader's default when the binary is built).
const skip = nativeRingbus.path ? false : 'crates/ringbus has no built binary (run npm run build:native)';
t.test('WebSocket resume with the native ringbus', { skip }, async (t) => {
  if (nativeRingbus.error) return t.fail(`the native binary exists but did not load: ${nativeRingbus.error.message}`);
  wsResumeSuite(t, 'native');
});
