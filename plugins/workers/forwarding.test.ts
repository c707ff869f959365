/**
 * What reaches a worker's agent from other agents, with the fake agent in real tmux panes: text
 * from another worker arrives fenced as data with its sender; a lead's input arrives as typed; a
 * worker cannot aim a chat message at a third worker by forging `metadata.toHandle` (the fleet's
 * key), which used to put its text into that worker's agent though it was not in the chat.
 * (ECHO makes the fake agent answer with the whole input it received.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { agentUid, startWorkerFleet } from '../../test/kit/index.js';

const fenced = (kind: string, from: string, body: string) =>
  new RegExp(
    `^\\[fleet\\] ${kind} from ${from}\\. [^\\n]+\\n<<<fleet-data ([0-9a-f]{12})\\n${body}\\nfleet-data \\1>>>$`,
  );

t.test('worker to worker: fenced with its sender; lead to worker: as typed; no forged recipients', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  for (const handle of ['w1', 'w2']) {
    t.equal((await w.spawn(handle, { initialPrompt: 'hello' })).status, 201);
    await w.waitWorker(handle, (x) => x.state === 'idle' && x.numTurns === 1, 'first turn');
  }
  const tokenOf = (handle: string) =>
    (JSON.parse(readFileSync(join(w.workerDir(handle), 'spawn.json'), 'utf8')) as { env: Record<string, string> }).env
      .FLEET_TOKEN!;
  const w1 = tokenOf('w1');

  // w1 aims a message in its DM with the lead at w2, which is not in that chat.
  const chat = await fleet.request('POST', '/chats', {
    token: w1,
    body: { uid1: agentUid('alpha', 'w1'), uid2: agentUid('alpha', 'lead') },
  });
  t.equal(chat.status, 200, JSON.stringify(chat.body));
  const forged = await fleet.request('POST', `/chats/${chat.body.chatId}/messages`, {
    token: w1,
    body: { text: 'FORGED\nECHO', metadata: { toHandle: 'w2' } },
  });
  t.match(forged, { status: 400, body: { field: 'metadata', code: 'FLEET_INVALID_INPUT' } });

  // w1 sends to w2 directly: w2's agent gets it fenced, as w1's words.
  const sent = await fleet.request('POST', '/orchestrate/send/w2', { token: w1, body: { message: 'do this\nECHO' } });
  t.equal(sent.status, 200, JSON.stringify(sent.body));
  const second = await w.waitWorker('w2', (x) => x.state === 'idle' && x.numTurns === 2, 'second turn');
  t.match(second.result, fenced('message', 'w1 \\(worker\\)', 'do this\\nECHO'), 'fenced, with its sender');

  // A lead's input is its operator typing: it arrives as it was written.
  await fleet.request('POST', '/orchestrate/send/w2', { token: w.lead, body: { message: 'lead says\nECHO' } });
  const third = await w.waitWorker('w2', (x) => x.state === 'idle' && x.numTurns === 3, 'third turn');
  t.equal(third.result, 'lead says\nECHO');
  t.notMatch(JSON.stringify(await w.allOutput('w2')), /FORGED/, 'the forged message never reached w2');
});
