import t from 'tap';
import {
  type Agent,
  agentUid,
  as,
  dmChatId,
  registerTeam,
  startCoordination,
  teamChatId,
} from '../../test/kit/index.js';

t.test('GET /users/:uid: an agent of your team; other teams and unknown uids are 404', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['cat']);
  const [ann, bob] = alpha.workers as [Agent, Agent];

  const found = await as(fleet, ann, 'GET', `/users/${bob.uid}`);
  t.equal(found.status, 200);
  t.match(found.body, { uid: agentUid('alpha', 'bob'), handle: 'bob', teamName: 'alpha', agentType: 'worker' });

  const self = await as(fleet, ann, 'GET', `/users/${ann.uid}`);
  t.equal(self.body.handle, 'ann', 'yourself too');

  const other = await as(fleet, ann, 'GET', `/users/${beta.workers[0]!.uid}`);
  t.equal(other.status, 404, 'an agent of another team is not visible');
  t.same(other.body, { error: 'User not found', code: 'AUTH_USER_NOT_FOUND' });
  t.equal((await as(fleet, ann, 'GET', `/users/${'0'.repeat(24)}`)).status, 404, 'an unknown uid');
  t.equal((await fleet.request('GET', `/users/${bob.uid}`)).status, 401, 'no token');
});

t.test('POST /chats: the seed DM id, idempotent both ways, only with yourself in it unless you lead', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
  const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
  const expected = dmChatId(ann.uid, bob.uid);
  t.match(expected, /^[0-9a-f]{16}$/);

  const first = await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid });
  t.equal(first.status, 200);
  t.same(first.body, { chatId: expected }, 'first 16 hex of sha256 of the sorted uids joined by ":"');
  const again = await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid });
  t.same(again.body, { chatId: expected }, 'the same chat again');
  const swapped = await as(fleet, bob, 'POST', '/chats', { uid1: bob.uid, uid2: ann.uid });
  t.same(swapped.body, { chatId: expected }, 'order of the uids does not matter');

  const listed = await as(fleet, ann, 'GET', `/users/${ann.uid}/chats`);
  t.equal(
    listed.body.filter((chat: { id: string }) => chat.id === expected).length,
    1,
    'created once, not three times',
  );
  t.same(listed.body[0].participants, [ann.uid, bob.uid].sort());
  t.equal(listed.body[0].kind, 'dm');

  const others = await as(fleet, ann, 'POST', '/chats', { uid1: bob.uid, uid2: cy.uid });
  t.equal(others.status, 403, 'a worker may not open a chat between two others');
  t.match(others.body.error, /^uid1: /);
  const byLead = await as(fleet, alpha.lead, 'POST', '/chats', { uid1: bob.uid, uid2: cy.uid });
  t.equal(byLead.status, 200, 'the lead may');
  t.same(byLead.body, { chatId: dmChatId(bob.uid, cy.uid) });

  const selfChat = await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: ann.uid });
  t.equal(selfChat.status, 400);
  t.match(selfChat.body.error, /^uid2: /);
  const unknown = await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: 'f'.repeat(24) });
  t.equal(unknown.status, 404, 'an unknown agent');
  t.match(unknown.body.error, /uid2/);
});

t.test(
  'messages: post with UUID ids and a status, list the latest, page with after/before/limit both ways',
  async (t) => {
    const fleet = await startCoordination(t);
    const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
    const [ann, bob] = alpha.workers as [Agent, Agent];
    const { chatId } = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body;

    const empty = await as(fleet, ann, 'GET', `/chats/${chatId}/messages`);
    t.same(empty.body, [], 'no messages yet');

    const ids: string[] = [];
    for (let i = 1; i <= 7; i++) {
      const sender = i % 2 ? ann : bob;
      const posted = await as(fleet, sender, 'POST', `/chats/${chatId}/messages`, {
        text: `m${i}`,
        metadata: { n: i },
      });
      t.equal(posted.status, 200);
      if (i === 1) {
        t.same(
          Object.keys(posted.body),
          ['id', 'chatId', 'fromHandle', 'fromUid', 'text', 'timestamp', 'status', 'metadata'],
          'the seed message shape',
        );
        t.match(posted.body, {
          chatId,
          fromHandle: 'collab:ann',
          fromUid: ann.uid,
          text: 'm1',
          status: 'pending',
          metadata: { n: 1 },
        });
        t.match(
          posted.body.id,
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
          'the id is a UUID',
        );
        t.ok(!Number.isNaN(Date.parse(posted.body.timestamp)), 'a timestamp');
      }
      ids.push(posted.body.id);
    }
    t.equal(new Set(ids).size, 7, 'every id differs');

    const texts = (list: { text: string }[]) => list.map((m) => m.text);
    const all = await as(fleet, bob, 'GET', `/chats/${chatId}/messages`);
    t.same(texts(all.body), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'], 'oldest to newest');

    t.same(
      texts((await as(fleet, bob, 'GET', `/chats/${chatId}/messages?limit=3`)).body),
      ['m5', 'm6', 'm7'],
      'limit alone: the latest',
    );
    t.same(
      texts((await as(fleet, bob, 'GET', `/chats/${chatId}/messages?after=${ids[1]}&limit=2`)).body),
      ['m3', 'm4'],
      'after: the next ones, forward',
    );
    t.same(
      texts((await as(fleet, bob, 'GET', `/chats/${chatId}/messages?after=${ids[6]}`)).body),
      [],
      'after the newest: nothing',
    );
    t.same(
      texts((await as(fleet, bob, 'GET', `/chats/${chatId}/messages?before=${ids[5]}&limit=2`)).body),
      ['m4', 'm5'],
      'before: the previous ones, still in order',
    );
    t.same(
      texts((await as(fleet, bob, 'GET', `/chats/${chatId}/messages?before=${ids[0]}`)).body),
      [],
      'before the oldest: nothing',
    );
    t.same(
      texts((await as(fleet, bob, 'GET', `/chats/${chatId}/messages?after=${ids[1]}&before=${ids[5]}`)).body),
      ['m3', 'm4', 'm5'],
      'between two cursors',
    );

    // Walk backwards with the first id of each page as the next cursor: every message exactly once.
    const walked: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = (
        await as(fleet, bob, 'GET', `/chats/${chatId}/messages?limit=3${cursor ? `&before=${cursor}` : ''}`)
      ).body as { id: string; text: string }[];
      if (page.length === 0) break;
      walked.unshift(...texts(page));
      cursor = page[0]!.id;
    }
    t.same(walked, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'], 'paging back with before covers every message once');

    const unknown = '00000000-0000-4000-8000-000000000000';
    const stale = await as(fleet, bob, 'GET', `/chats/${chatId}/messages?after=${unknown}`);
    t.equal(stale.status, 400, 'a cursor that is no message of this chat');
    t.same(stale.body, {
      error: `after: no message ${unknown} in this chat`,
      code: 'MAIL_UNKNOWN_CURSOR',
      field: 'after',
    });
  },
);

t.test('GET /users/:uid/chats has unread counts; POST /chats/:id/read resets them', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
  const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
  const { chatId } = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body;
  for (const text of ['one', 'two', 'three']) await as(fleet, ann, 'POST', `/chats/${chatId}/messages`, { text });
  await as(fleet, bob, 'POST', `/chats/${chatId}/messages`, { text: 'reply' });

  const unreadOf = async (agent: Agent, owner: Agent = agent) => {
    const list = await as(fleet, agent, 'GET', `/users/${owner.uid}/chats`);
    return list.body.find((chat: { id: string }) => chat.id === chatId)?.unread;
  };
  t.equal(await unreadOf(bob), 3, 'bob has 3 unread (his own reply does not count)');
  t.equal(await unreadOf(ann), 1, 'ann has 1 unread');
  const bobsChats = await as(fleet, bob, 'GET', `/users/${bob.uid}/chats`);
  t.match(bobsChats.body[0], { id: chatId, unread: 3, lastMessage: { text: 'reply' } }, 'with the last message');

  const read = await as(fleet, bob, 'POST', `/chats/${chatId}/read`, {});
  t.equal(read.status, 200);
  t.same(read.body, { success: true });
  t.equal(await unreadOf(bob), 0, 'reset for bob');
  t.equal(await unreadOf(ann), 1, 'not for ann');

  const forOther = await as(fleet, bob, 'POST', `/chats/${chatId}/read`, { uid: ann.uid });
  t.equal(forOther.status, 403, 'a worker may not mark a chat read for someone else');
  t.match(forOther.body.error, /^uid: /);
  t.equal(await unreadOf(ann), 1);
  const byLead = await as(fleet, alpha.lead, 'POST', `/chats/${chatId}/read`, { uid: ann.uid });
  t.equal(byLead.status, 200, 'the lead may, for a member of the chat');
  t.equal(await unreadOf(ann), 0);

  t.equal(
    (await as(fleet, cy, 'GET', `/users/${ann.uid}/chats`)).status,
    403,
    "a worker may not list a teammate's chats",
  );
  t.equal(await unreadOf(alpha.lead, ann), 0, "the lead may list a teammate's chats");
  const outsider = await as(fleet, cy, 'POST', `/chats/${chatId}/read`, {});
  t.equal(outsider.status, 403, 'not a member of the DM');
  t.same(outsider.body, { error: 'Not a member of this chat', code: 'MAIL_NOT_CHAT_MEMBER' });
});

t.test('a DM is for its two members; "from" naming someone else is refused unless the caller leads', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
  const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
  const { chatId } = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body;

  const intruder = await as(fleet, cy, 'POST', `/chats/${chatId}/messages`, { text: 'hi' });
  t.equal(intruder.status, 403, 'a teammate outside the DM may not post');
  t.equal((await as(fleet, cy, 'GET', `/chats/${chatId}/messages`)).status, 403, 'nor read');

  const spoof = await as(fleet, ann, 'POST', `/chats/${chatId}/messages`, { from: bob.uid, text: 'I am bob' });
  t.equal(spoof.status, 403, 'a worker may not post as another');
  t.match(spoof.body.error, /^from: /);
  const asSelf = await as(fleet, ann, 'POST', `/chats/${chatId}/messages`, { from: ann.uid, text: 'me' });
  t.equal(asSelf.status, 200, 'naming yourself is fine');

  const forBob = await as(fleet, alpha.lead, 'POST', `/chats/${chatId}/messages`, { from: bob.uid, text: 'for bob' });
  t.equal(forBob.status, 200, 'the lead may post for a member of its team');
  t.match(forBob.body, { fromUid: bob.uid, fromHandle: 'collab:bob' });
  const leadItself = await as(fleet, alpha.lead, 'POST', `/chats/${chatId}/messages`, { text: 'me, the lead' });
  t.equal(leadItself.status, 403, 'but the lead itself is not a member of this DM');

  const list = await as(fleet, bob, 'GET', `/chats/${chatId}/messages`);
  t.same(
    list.body.map((m: { text: string }) => m.text),
    ['me', 'for bob'],
    'only the accepted messages were stored',
  );
  t.equal((await as(fleet, ann, 'GET', '/chats/0123456789abcdef/messages')).status, 404, 'an unknown chat');
});

t.test('POST /teams/:name/broadcast: leads only, to the seed team chat, every member sees it unread', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const expected = teamChatId('alpha');

  const denied = await as(fleet, ann, 'POST', '/teams/alpha/broadcast', { text: 'hello all' });
  t.equal(denied.status, 403, 'a worker may not broadcast');
  t.match(denied.body, {
    error: 'Insufficient permissions',
    code: 'FLEET_INSUFFICIENT_PERMISSIONS',
    required: 'team-lead',
    current: 'worker',
  });

  const sent = await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', {
    text: 'hello all',
    metadata: { priority: 'high' },
  });
  t.equal(sent.status, 200);
  t.match(sent.body, {
    chatId: expected,
    text: 'hello all',
    fromHandle: 'collab:lead-alpha',
    metadata: { priority: 'high', isBroadcast: true },
  });
  t.match(sent.body.id, /^[0-9a-f-]{36}$/);

  for (const agent of [ann, bob]) {
    const chats = await as(fleet, agent, 'GET', `/users/${agent.uid}/chats`);
    const team = chats.body.find((chat: { id: string }) => chat.id === expected);
    t.match(team, { kind: 'team', teamName: 'alpha', unread: 1 }, `${agent.handle} has the team chat with 1 unread`);
    const messages = await as(fleet, agent, 'GET', `/chats/${expected}/messages`);
    t.same(
      messages.body.map((m: { text: string }) => m.text),
      ['hello all'],
      `${agent.handle} reads it`,
    );
  }
  const leadChats = await as(fleet, alpha.lead, 'GET', `/users/${alpha.lead.uid}/chats`);
  t.equal(leadChats.body.find((chat: { id: string }) => chat.id === expected)?.unread, 0, 'not unread for the sender');

  await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', { text: 'second' });
  const again = await as(fleet, ann, 'GET', `/users/${ann.uid}/chats`);
  t.equal(again.body.filter((chat: { id: string }) => chat.id === expected).length, 1, 'one team chat');
  t.equal(again.body.find((chat: { id: string }) => chat.id === expected).unread, 2);
  const reply = await as(fleet, ann, 'POST', `/chats/${expected}/messages`, { text: 'ack' });
  t.equal(reply.status, 200, 'a member may answer in the team chat');

  const forWorker = await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', { from: bob.uid, text: 'from bob' });
  t.equal(forWorker.status, 200, 'a lead may broadcast in the name of a team member');
  t.equal(forWorker.body.fromUid, bob.uid);
});
