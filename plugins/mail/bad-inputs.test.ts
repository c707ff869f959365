import t from 'tap';
import { type Agent, as, registerTeam, startCoordination } from '../../test/kit/index.js';

/** [method, path, body, what the error must say: a field prefix `field: ` or an exact message]. */
type Row = [method: string, path: string, body: unknown, error: string | RegExp];

const long = (n: number) => 'x'.repeat(n);

t.test('bad inputs to every mail route: a 4xx whose error names the field, never a 500', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const chat = (await as(fleet, alpha.lead, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body.chatId as string;
  const badChat = encodeURIComponent('no spaces');

  const rows: Row[] = [
    ['GET', '/users/not-a-uid', undefined, 'uid: must be a 24-digit hex agent uid'],
    ['GET', `/users/${'A'.repeat(24)}`, undefined, 'uid: must be a 24-digit hex agent uid'],
    ['GET', '/users/xyz/chats', undefined, 'uid: must be a 24-digit hex agent uid'],
    ['POST', '/chats', {}, 'uid1: is required'],
    ['POST', '/chats', { uid1: ann.uid }, 'uid2: is required'],
    ['POST', '/chats', { uid1: ann.uid, uid2: 42 }, 'uid2: must be a string'],
    ['POST', '/chats', { uid1: 'short', uid2: bob.uid }, 'uid1: must be a 24-digit hex agent uid'],
    ['POST', '/chats', [ann.uid, bob.uid], 'body: must be a JSON object'],
    ['POST', '/chats', '{"uid1": ', /JSON/i],
    ['GET', `/chats/${badChat}/messages`, undefined, 'chatId: must be a chat id'],
    ['GET', `/chats/${long(65)}/messages`, undefined, 'chatId: must be a chat id'],
    ['GET', `/chats/${chat}/messages?limit=0`, undefined, 'limit: must be at least 1'],
    ['GET', `/chats/${chat}/messages?limit=101`, undefined, 'limit: must be at most 100'],
    ['GET', `/chats/${chat}/messages?limit=ten`, undefined, 'limit: must be a whole number'],
    ['GET', `/chats/${chat}/messages?limit=1&limit=2`, undefined, 'limit: must be a whole number'],
    ['GET', `/chats/${chat}/messages?after=-1`, undefined, 'after: must be a message id (a UUID)'],
    ['GET', `/chats/${chat}/messages?after=1.5`, undefined, 'after: must be a message id (a UUID)'],
    ['GET', `/chats/${chat}/messages?before=0`, undefined, 'before: must be a message id (a UUID)'],
    ['GET', `/chats/${chat}/messages?before=${'9'.repeat(20)}`, undefined, 'before: must be a message id (a UUID)'],
    ['POST', `/chats/${chat}/messages`, {}, 'text: is required'],
    ['POST', `/chats/${chat}/messages`, { text: '' }, 'text: is required'],
    ['POST', `/chats/${chat}/messages`, { text: 7 }, 'text: must be a string'],
    ['POST', `/chats/${chat}/messages`, { text: long(50_001) }, 'text: must be at most 50000 characters'],
    ['POST', `/chats/${chat}/messages`, { text: 'hi', metadata: [1, 2] }, 'metadata: must be an object'],
    ['POST', `/chats/${chat}/messages`, { text: 'hi', metadata: 'x' }, 'metadata: must be an object'],
    ['POST', `/chats/${chat}/messages`, { text: 'hi', from: 'bob' }, 'from: must be a 24-digit hex agent uid'],
    ['POST', `/chats/${badChat}/messages`, { text: 'hi' }, 'chatId: must be a chat id'],
    ['POST', `/chats/${chat}/read`, { uid: 12 }, 'uid: must be a string'],
    ['POST', `/chats/${badChat}/read`, {}, 'chatId: must be a chat id'],
    ['POST', '/teams/alpha/broadcast', {}, 'text: is required'],
    ['POST', '/teams/alpha/broadcast', { text: long(50_001) }, 'text: must be at most 50000 characters'],
    ['POST', '/teams/alpha/broadcast', { text: 'hi', metadata: 5 }, 'metadata: must be an object'],
    ['POST', '/teams/alpha/broadcast', { text: 'hi', metadata: ['a'] }, 'metadata: must be an object'],
    ['POST', '/teams/alpha/broadcast', { text: 'hi', metadata: null }, 'metadata: must be an object'],
    ['POST', '/teams/alpha/broadcast', { text: 'hi', from: 'x' }, 'from: must be a 24-digit hex agent uid'],
    [
      'POST',
      `/teams/${encodeURIComponent('al pha')}/broadcast`,
      { text: 'hi' },
      'teamName: may contain only letters, digits, _ and -',
    ],
    ['POST', `/teams/${long(51)}/broadcast`, { text: 'hi' }, 'teamName: must be 1–50 characters'],
    ['POST', '/mail', {}, 'to: is required'],
    ['POST', '/mail', { to: 'bob' }, 'body: is required'],
    ['POST', '/mail', { to: 'bob', body: '' }, 'body: is required'],
    ['POST', '/mail', { to: 'bob', body: long(50_001) }, 'body: must be at most 50000 characters'],
    ['POST', '/mail', { to: 'b o b', body: 'hi' }, 'to: may contain only letters, digits, _ and -'],
    ['POST', '/mail', { to: long(51), body: 'hi' }, 'to: must be 1–50 characters'],
    ['POST', '/mail', { to: 'bob', body: 'hi', subject: long(201) }, 'subject: must be at most 200 characters'],
    ['POST', '/mail', { to: 'bob', body: 'hi', subject: 3 }, /^subject: /],
    ['POST', '/mail', { to: 'bob', body: 'hi', from: '' }, 'from: must be 1–50 characters'],
    ['GET', `/mail/${long(51)}`, undefined, 'handle: must be 1–50 characters'],
    ['GET', `/mail/${encodeURIComponent('a.b')}`, undefined, 'handle: may contain only letters, digits, _ and -'],
    ['GET', `/mail/${long(51)}/unread`, undefined, 'handle: must be 1–50 characters'],
    ['POST', '/mail/abc/read', undefined, 'Invalid mail ID'],
    ['POST', '/mail/0x10/read', undefined, 'Invalid mail ID'],
    ['POST', `/mail/${'9'.repeat(16)}/read`, undefined, 'Invalid mail ID'],
    // Past PostgreSQL's 32-bit serial ids: used to be "out of range" there, a 500.
    ['POST', '/mail/2147483648/read', undefined, 'Invalid mail ID'],
    ['POST', '/mail/83842287263520/read', undefined, 'Invalid mail ID'],
    ['POST', '/handoffs/2147483648/accept', undefined, 'id: must be at most 2147483647'],
    ['POST', '/handoffs', {}, 'to: is required'],
    ['POST', '/handoffs', { to: 'bob' }, 'context: is required'],
    ['POST', '/handoffs', { to: 'bob', context: 'text' }, 'context: must be an object'],
    ['POST', '/handoffs', { to: 'bob', context: [1] }, 'context: must be an object'],
    [
      'POST',
      '/handoffs',
      { to: 'bob', context: { blob: long(200_001) } },
      'context: must be at most 200000 characters of JSON',
    ],
    ['POST', '/handoffs', { to: 'bob!', context: {} }, 'to: may contain only letters, digits, _ and -'],
    ['GET', `/handoffs/${long(51)}`, undefined, 'handle: must be 1–50 characters'],
  ];

  for (const [method, path, body, error] of rows) {
    const response = await as(fleet, alpha.lead, method, path, body);
    const label =
      `${method} ${path.length > 80 ? path.slice(0, 80) + '…' : path} ` +
      `${body === undefined ? '' : JSON.stringify(body).slice(0, 60)}`;
    t.ok(response.status >= 400 && response.status < 500, `${label}: a 4xx (${response.status})`);
    t.equal(response.status, 400, `${label}: 400`);
    if (typeof error === 'string') t.equal(response.body?.error, error, `${label}: ${error}`);
    else t.match(response.body?.error, error, `${label}: ${error}`);
  }

  const messages = await as(fleet, ann, 'GET', `/chats/${chat}/messages`);
  t.same(messages.body, [], 'no bad request stored a message');
  t.same((await as(fleet, bob, 'GET', '/mail/bob')).body, [], 'nor mail');
  t.same((await as(fleet, bob, 'GET', '/handoffs/bob')).body, [], 'nor a handoff');
});

t.test('a NUL character anywhere in an input is a 400 naming where, on SQLite and PostgreSQL alike', async (t) => {
  // PostgreSQL's text cannot hold U+0000: this used to be stored on SQLite and a 500 on PostgreSQL.
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const chat = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body.chatId as string;
  const message = 'must not contain NUL characters (\\u0000)';
  const rows: [path: string, body: Record<string, unknown>, field: string][] = [
    ['/mail', { to: 'bob', body: 'a\u0000b' }, 'body'],
    ['/mail', { to: 'bob', body: 'ok', subject: '\u0000' }, 'subject'],
    ['/handoffs', { to: 'bob', context: { files: ['a', 'b\u0000'] } }, 'context.files.1'],
    ['/handoffs', { to: 'bob', context: { 'k\u0000': 1 } }, 'context.k\u0000'],
    [`/chats/${chat}/messages`, { text: 'hi\u0000' }, 'text'],
    ['/tasks', { subject: 'fix\u0000it' }, 'subject'],
  ];
  for (const [path, body, field] of rows) {
    const response = await as(fleet, ann, 'POST', path, body);
    t.equal(response.status, 400, `POST ${path} ${field}`);
    t.same(response.body, { error: `${field}: ${message}`, code: 'FLEET_INVALID_INPUT', field });
  }
  const tool = await fleet.request('POST', '/mcp/call', {
    token: ann.token,
    body: { name: 'mail_send', arguments: { to: 'bob', body: 'x\u0000' } },
  });
  t.match(tool, { status: 400, body: { field: 'arguments.body', error: `arguments.body: ${message}` } }, 'tools too');
  t.same((await as(fleet, bob, 'GET', '/mail/bob')).body, [], 'nothing was stored');
  t.same((await as(fleet, bob, 'GET', `/chats/${chat}/messages`)).body, []);
  t.equal((await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: 'fine' })).status, 200, 'and the fleet serves on');
});
