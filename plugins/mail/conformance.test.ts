import t from 'tap';
import { runConformance } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

t.test('mail: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, mail: true } });
  await runConformance(t, {
    fleet,
    plugin: 'mail',
    fixtures: {
      listUserChats: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/chats', { uid1: alpha.lead.uid, uid2: alpha.workers[0]!.uid });
        return { input: { uid: alpha.workers[0]!.uid }, secrets: [alpha.workers[0]!.uid] };
      },
      createChat: async ({ alpha }) => ({
        input: { uid1: alpha.workers[0]!.uid, uid2: alpha.workers[1]!.uid },
        secrets: [alpha.workers[0]!.uid],
      }),
      listMessages: async ({ alpha, call }) => {
        const { chatId } = await call(alpha.lead, 'POST', '/chats', {
          uid1: alpha.lead.uid,
          uid2: alpha.workers[0]!.uid,
        });
        await call(alpha.lead, 'POST', `/chats/${chatId}/messages`, { text: 'alpha secret message' });
        return { input: { chatId, limit: 10 }, secrets: ['alpha secret message'] };
      },
      postMessage: async ({ alpha, call }) => {
        const { chatId } = await call(alpha.lead, 'POST', '/chats', {
          uid1: alpha.lead.uid,
          uid2: alpha.workers[1]!.uid,
        });
        return { input: { chatId, text: 'posted by the owner' }, secrets: ['posted by the owner'] };
      },
      markChatRead: async ({ alpha, call }) => {
        const { chatId } = await call(alpha.lead, 'POST', '/chats', {
          uid1: alpha.lead.uid,
          uid2: alpha.workers[0]!.uid,
        });
        return { input: { chatId } };
      },
      broadcast: async () => ({ input: { teamName: 'alpha', text: 'to the whole team' }, toolsOtherTeam: 'own' }),
      sendDirect: async () => ({ input: { handle: 'alpha-w1', message: 'a direct word' } }),
      // Mail may wait for an agent not registered yet: another team's sender writes into its own team.
      sendMail: async () => ({ input: { to: 'alpha-w1', body: 'mail body', subject: 'a subject' }, otherTeam: 'own' }),
      listMail: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/mail', { to: 'alpha-w1', body: 'mail for alpha-w1 only' });
        return { input: { handle: 'alpha-w1' }, secrets: ['mail for alpha-w1 only'] };
      },
      listUnreadMail: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/mail', { to: 'alpha-w2', body: 'unread for alpha-w2' });
        return { input: { handle: 'alpha-w2' }, secrets: ['unread for alpha-w2'] };
      },
      readMail: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/mail', { to: 'lead-alpha', body: 'the lead reads this' });
        return { input: { filter: 'all' }, otherTeam: 'own', secrets: ['the lead reads this'] };
      },
      markMailRead: async ({ alpha, call }) => {
        const mail = await call(alpha.lead, 'POST', '/mail', { to: 'alpha-w1', body: 'to be marked read' });
        return { input: { id: String(mail.id) } };
      },
      // Like mail, a handoff may wait for an agent not spawned yet: another team's writes stay in its own team.
      createHandoff: async () => ({
        input: { to: 'alpha-w1', context: { files: ['a.ts'], note: 'a handoff' } },
        otherTeam: 'own',
      }),
      listHandoffs: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/handoffs', { to: 'alpha-w2', context: { note: 'alpha-only context' } });
        return { input: { handle: 'alpha-w2' }, secrets: ['alpha-only context'] };
      },
      acceptHandoff: async ({ alpha, call }) => {
        const handoff = await call(alpha.lead, 'POST', '/handoffs', { to: 'alpha-w1', context: { note: 'accept me' } });
        return { input: { id: handoff.id }, secrets: ['accept me'] };
      },
    },
  });
});
