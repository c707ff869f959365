/**
 * HostClient and LogFollower when what they read or write fails under them, without tmux. A fake
 * pane host on a unix socket resets the connection with input unread (ECONNRESET), ends its side
 * under a stream of writes (write after end), or goes away mid-stream (EPIPE). No error escapes as
 * an exception (an unheard one ended the whole server: issue 9), every input answers (refused, with
 * the reason), and the client reconnects as before. A log that cannot be read is polled again later.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { sleep, tempDir, type TestLike, waitFor } from '../../test/kit/index.js';
import { HostClient } from './host-client.js';
import { LogFollower } from './log-follower.js';

interface FakeHost {
  path: string;
  /** Connections in the order they came, each paused until `serve` resumes it. */
  connections: Socket[];
  /** Answer this connection like a pane host: an ack for every input. */
  serve(socket: Socket): void;
}

/** A unix socket server whose connections start paused: what the client writes stays unread. */
async function fakeHost(t: TestLike): Promise<FakeHost> {
  const path = join(tempDir(t, 'fleet-host-'), 'host.sock');
  const connections: Socket[] = [];
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => undefined);
    connections.push(socket);
  });
  await new Promise<void>((resolveListen) => server.listen(path, resolveListen));
  t.teardown(() => {
    for (const socket of connections) socket.destroy();
    return new Promise((resolveClose) => server.close(resolveClose));
  });
  return {
    path,
    connections,
    serve(socket) {
      const lines = createInterface({ input: socket });
      lines.on('error', () => undefined);
      lines.on('line', (line) => {
        const request = JSON.parse(line) as { type: string; id: number };
        if (request.type === 'input') socket.write(JSON.stringify({ type: 'ack', id: request.id, ok: true }) + '\n');
      });
      socket.resume();
    },
  };
}

async function connected(t: TestLike, host: FakeHost): Promise<HostClient> {
  const client = new HostClient(host.path, () => undefined);
  t.teardown(() => client.close());
  await client.connect(2000);
  await waitFor('the host to see the connection', () => host.connections.length > 0);
  return client;
}

/** Every promise settles within `ms`, or the test fails naming the ones that did not. */
async function settled<T>(promises: Promise<T>[], ms = 7000): Promise<T[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not every input answered within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.all(promises), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

t.test('a host that resets the connection with input unread: inputs refused, then a reconnect', async (t) => {
  const host = await fakeHost(t);
  const client = await connected(t, host);
  const inputs = Array.from({ length: 10 }, (_, i) => client.input(`unread ${i}`));
  await sleep(50);
  // Closing a unix socket with data unread resets it: the client's next read fails with ECONNRESET.
  host.connections[0]!.destroy();
  const answers = await settled(inputs);
  for (const answer of answers) t.match(answer, { ok: false, error: /went away|connection failed/ });
  t.same(await client.input('meanwhile'), { ok: false, error: 'the pane host is not connected' });

  // Reconnect logic as before: the client comes back by itself and is answered.
  await waitFor('a second connection', () => host.connections.length === 2, 5000);
  host.serve(host.connections[1]!);
  const answer = await waitFor('an input to be acknowledged', async () => {
    const ack = await client.input('hello again');
    return ack.ok ? ack : undefined;
  });
  t.same(answer, { ok: true, error: undefined }, 'the reconnected host acknowledges input');
});

t.test('a host that ends its side, then goes away, under a stream of writes: every input answers', async (t) => {
  for (const how of ['end', 'destroy'] as const) {
    const host = await fakeHost(t);
    const client = await connected(t, host);
    const socket = host.connections[0]!;
    host.serve(socket);
    const inputs: Promise<{ ok: boolean; error?: string }>[] = [];
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        inputs.push(client.input('x'.repeat(256)));
        await new Promise((resolveTick) => setImmediate(resolveTick));
      }
    })();
    await sleep(100);
    if (how === 'end') socket.end();
    else socket.destroy();
    await sleep(200);
    stop = true;
    await writer;
    const answers = await settled(inputs);
    const refused = answers.filter((a) => !a.ok);
    const unclear = refused.filter((a) => !/went away|not connected|connection failed|did not answer/.test(a.error!));
    t.ok(refused.length > 0, `${how}: ${answers.length} inputs answered, ${refused.length} refused`);
    t.same(unclear.slice(0, 3), [], `${how}: each refusal says why`);
    client.close();
  }
});

t.test('close() while connecting: the attempt is dropped, nothing stays open', async (t) => {
  const host = await fakeHost(t);
  const client = new HostClient(host.path, () => undefined);
  const attempt = client.connect(2000);
  client.close();
  await t.rejects(attempt, /closed/);
  await waitFor('the attempt to reach the host', () => host.connections.length === 1);
  // Read from it, so the host sees the client's end.
  host.serve(host.connections[0]!);
  await waitFor('the connection to close', () => host.connections[0]!.closed, 2000);
  t.pass('no connection left open');
});

t.test('a log that cannot be read is polled again later, never thrown from a timer', async (t) => {
  // A directory where the log should be: stat works, reading fails (EISDIR), like a log archived
  // between the check and the read.
  const path = join(tempDir(t, 'fleet-log-'), 'output.log');
  mkdirSync(path);
  const seen: string[] = [];
  const follower = new LogFollower(path, 0, (lines) => seen.push(...lines.map((line) => line.text)));
  t.teardown(() => follower.drain());
  t.doesNotThrow(() => follower.start(20), 'start polls without throwing');
  t.doesNotThrow(() => follower.poll(), 'a poll does not throw');
  await sleep(100);
  t.same(seen, [], 'nothing handed over');
  t.equal(follower.offset, 0, 'the offset stays where it was, for a later read');
});
