import t from 'tap';

// FLEET_NATIVE=0 must be set before the loaders are first imported, hence the dynamic imports.
process.env.FLEET_NATIVE = '0';
const { wsResumeSuite } = await import('./ws-resume.body.js');

t.test('WebSocket resume with FLEET_NATIVE=0 (the TypeScript fallback)', async (t) => {
  wsResumeSuite(t, 'js');
});
