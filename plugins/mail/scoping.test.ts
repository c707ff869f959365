import t from 'tap';
import type { TestLike } from '../../test/kit/index.js';
import {
  type Agent,
  as,
  callTool,
  dmChatId,
  registerAgent,
  registerTeam,
  startCoordination,
  teamChatId,
  toolText,
} from '../../test/kit/index.js';

const SECRET = 'ALPHA-SECRET';

/** Team alpha with mail, chats, a broadcast and handoffs that all carry SECRET; team beta empty. */
async function twoTeams(t: TestLike) {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const dm = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body.chatId as string;
  await as(fleet, ann, 'POST', `/chats/${dm}/messages`, { text: `${SECRET} dm` });
  await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', { text: `${SECRET} broadcast` });
  const mail = (await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: `${SECRET} mail`, subject: SECRET })).body;
  await as(fleet, ann, 'POST', '/handoffs', { to: 'bob', context: { note: `${SECRET} handoff` } });
  return { fleet, alpha, beta, ann, bob, dm, mailId: mail.id as number };
}

t.test("every mail route refuses team beta on alpha's resources: 403 or 404, never data", async (t) => {
  const { fleet, beta, ann, bob, dm, mailId } = await twoTeams(t);
  const teamChat = teamChatId('alpha');
  const rows: [method: string, path: string, body: unknown, worker: number, lead: number][] = [
    ['GET', `/users/${ann.uid}`, undefined, 404, 404],
    ['GET', `/users/${ann.uid}/chats`, undefined, 403, 404],
    ['POST', '/chats', { uid1: ann.uid, uid2: bob.uid }, 403, 404],
    ['POST', '/chats', { uid1: 'SELF', uid2: ann.uid }, 404, 404],
    ['GET', `/chats/${dm}/messages`, undefined, 404, 404],
    ['GET', `/chats/${teamChat}/messages`, undefined, 404, 404],
    ['POST', `/chats/${dm}/messages`, { text: 'hi' }, 404, 404],
    ['POST', `/chats/${teamChat}/messages`, { text: 'hi' }, 404, 404],
    ['POST', `/chats/${dm}/messages`, { from: ann.uid, text: 'as ann' }, 403, 404],
    ['POST', `/chats/${dm}/read`, {}, 404, 404],
    ['POST', `/chats/${dm}/read`, { uid: bob.uid }, 403, 404],
    ['POST', '/teams/alpha/broadcast', { text: 'hi' }, 403, 403],
    ['POST', '/teams/beta/broadcast', { from: ann.uid, text: 'as ann' }, 403, 404],
    ['GET', '/mail/bob', undefined, 403, 404],
    ['GET', '/mail/bob/unread', undefined, 403, 404],
    ['POST', `/mail/${mailId}/read`, undefined, 404, 404],
    // beta has no ann: a lead signs only for agents of its own team that exist (404 Sender not found).
    ['POST', '/mail', { from: 'ann', to: 'bob', body: 'as ann' }, 403, 404],
    ['GET', '/handoffs/bob', undefined, 403, 404],
    ['POST', '/handoffs', { from: 'ann', to: 'bob', context: {} }, 403, 404],
  ];
  for (const [who, caller] of [
    ['worker', beta.workers[0]!],
    ['lead', beta.lead],
  ] as const) {
    for (const [method, path, rawBody, workerStatus, leadStatus] of rows) {
      const body = rawBody && JSON.parse(JSON.stringify(rawBody).replace('"SELF"', JSON.stringify(caller.uid)));
      const expected = who === 'worker' ? workerStatus : leadStatus;
      const response = await as(fleet, caller, method, path, body);
      const label = `beta ${who}: ${method} ${path} ${body ? JSON.stringify(body) : ''}`;
      t.equal(response.status, expected, label);
      t.notMatch(JSON.stringify(response.body), SECRET, `${label}: no alpha data`);
      // A lead's handle routes answer for its own team: beta has no agent "bob" (404 Agent bob not
      // found), and "from: ann" would be beta's ann, never alpha's (beta has none: 404).
      if (response.status === 200 && method === 'GET') t.same(response.body, [], `${label}: beta's own (empty) list`);
    }
  }

  // The writes a beta lead made in its own team's name landed in beta, not in alpha.
  const bobsMail = await as(fleet, bob, 'GET', '/mail/bob');
  t.same(
    bobsMail.body.map((m: { body: string }) => m.body),
    [`${SECRET} mail`],
    "alpha's bob got nothing from beta",
  );
  t.same((await as(fleet, bob, 'GET', '/handoffs/bob')).body.length, 1);
  const messages = await as(fleet, ann, 'GET', `/chats/${dm}/messages`);
  t.same(
    messages.body.map((m: { text: string }) => m.text),
    [`${SECRET} dm`],
    'no message reached the alpha DM',
  );
  t.same((await as(fleet, ann, 'GET', `/chats/${teamChat}/messages`)).body.length, 1, 'nor the alpha team chat');
  t.equal((await as(fleet, bob, 'GET', '/mail/bob/unread')).body.length, 1, 'the alpha mail is still unread');
});

t.test('the same handle in two teams: each sees only its own mail, handoffs and chats', async (t) => {
  const { fleet, bob } = await twoTeams(t);
  const betaBob = await registerAgent(fleet, 'bob', 'beta');
  t.not(betaBob.uid, bob.uid);
  t.same((await as(fleet, betaBob, 'GET', '/mail/bob')).body, [], "beta's bob has no mail, not alpha bob's");
  t.same((await as(fleet, betaBob, 'GET', '/mail/bob/unread')).body, []);
  t.same((await as(fleet, betaBob, 'GET', '/handoffs/bob')).body, []);
  t.same((await as(fleet, betaBob, 'GET', `/users/${betaBob.uid}/chats`)).body, []);
  const read = await callTool(fleet, betaBob, 'mail_read', { filter: 'all' });
  t.same(JSON.parse(toolText(read)), [], 'mail_read too');
});

t.test('mail tools stay inside the caller team', async (t) => {
  const { fleet, beta, ann, bob, dm } = await twoTeams(t);
  const bo = beta.workers[0]!;
  const send = await callTool(fleet, bo, 'team_send', { handle: 'ann', message: 'hello from beta' });
  t.equal(send.isError, true, 'team_send to a handle only alpha has');
  t.equal(toolText(send), 'MAIL_AGENT_NOT_FOUND: Agent ann not found');
  t.equal(
    (await as(fleet, ann, 'GET', `/chats/${dmChatId(ann.uid, bo.uid)}/messages`)).status,
    404,
    'no cross-team DM was created',
  );
  const broadcast = await callTool(fleet, beta.lead, 'team_broadcast', { message: 'beta news' });
  t.notOk(broadcast.isError);
  t.equal(JSON.parse(toolText(broadcast)).chatId, teamChatId('beta'), "a lead broadcasts to its own team's chat only");
  t.same(
    (await as(fleet, bob, 'GET', `/chats/${teamChatId('alpha')}/messages`)).body.map((m: { text: string }) => m.text),
    [`${SECRET} broadcast`],
  );
  const read = await callTool(fleet, bo, 'mail_read', { filter: 'all' });
  t.notMatch(toolText(read), SECRET);
  const status = await callTool(fleet, bo, 'team_status');
  t.notMatch(toolText(status), /ann|lead-alpha/, 'team_status lists beta only');
  t.equal((await as(fleet, ann, 'GET', `/chats/${dm}/messages`)).body.length, 1);
});
