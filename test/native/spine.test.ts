import t from 'tap';
import { RingSpine } from '../../core/events/ring-spine.js';
import type { FleetEvent } from '../../core/events/types.js';
import { ringbusImpls } from './impls.js';

for (const impl of ringbusImpls()) {
  t.test(`the event spine on the ringbus (${impl.name})`, { skip: impl.skip ?? false }, async (t) => {
    if (impl.loadError) return t.fail(`the native binary exists but did not load: ${impl.loadError.message}`);
    const spine = () => new RingSpine({ capacity: 3, bus: { RingBus: impl.value!, implementation: impl.name } });

    t.test('publish, read back and listen', async (t) => {
      const s = spine();
      t.equal(s.implementation, impl.name);
      const heard: FleetEvent[] = [];
      const stop = s.subscribe('team.alpha.*', (event) => heard.push(event));
      s.subscribe('*', () => {
        throw new Error('a failing listener must not stop the others');
      });
      const first = s.publish({
        topic: 'team.alpha.tasks',
        type: 'task_created',
        team: 'alpha',
        data: { task: { id: 't1', title: 'ünïcode 😀' } },
      });
      s.publish({ topic: 'team.beta.tasks', type: 'task_created', team: 'beta', data: { task: { id: 't2' } } });
      const third = s.publish({
        topic: 'team.alpha.chat.c1',
        type: 'new_message',
        team: 'alpha',
        data: { text: 'hi' },
      });
      t.match(first, { seq: 1, topic: 'team.alpha.tasks', type: 'task_created', team: 'alpha' });
      t.same(heard, [first, third], 'listeners get their pattern only, in order');
      const read = s.read('team.alpha.*', 0);
      t.same(
        read,
        { events: [first, third], resyncRequired: false, next: 3 },
        'read gives back the published events exactly',
      );
      stop();
      s.publish({ topic: 'team.alpha.tasks', type: 'task_updated', team: 'alpha', data: {} });
      t.equal(heard.length, 2, 'unsubscribed');
      t.same(s.stats(), { published: 4, lastSeq: 4, topics: 3, evictions: 0, subscribers: 1 });
    });

    t.test('eviction makes a stale cursor resync', async (t) => {
      const s = spine();
      for (let i = 0; i < 5; i++) s.publish({ topic: 'team.a.tasks', type: 'task_updated', team: 'a', data: { i } });
      const stale = s.read('team.a.*', 1);
      t.equal(stale.resyncRequired, true);
      t.same(
        stale.events.map((e) => (e.data as { i: number }).i),
        [2, 3, 4],
      );
      t.equal(s.read('team.a.*', 2).resyncRequired, false);
      t.equal(s.stats().evictions, 2);
    });
  });
}
