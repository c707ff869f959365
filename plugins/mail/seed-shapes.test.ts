/**
 * The seed's shapes where we used to differ: a chat message has a UUID id and a status; a handoff
 * has acceptedAt and can be accepted (route and tool); mail and handoff lists of a handle that is
 * no agent of the team are 404; and a database written before these changes upgrades in place.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import t from 'tap';
import {
  type Agent,
  as,
  callTool,
  registerTeam,
  startCoordination,
  startFleet,
  tempDir,
  testStorage,
  toolJson,
  toolText,
} from '../../test/kit/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('a message is pending until another member reads the chat, then read', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const { chatId } = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body;
  const fromAnn = (await as(fleet, ann, 'POST', `/chats/${chatId}/messages`, { text: 'from ann' })).body;
  const fromBob = (await as(fleet, bob, 'POST', `/chats/${chatId}/messages`, { text: 'from bob' })).body;
  t.match(fromAnn, { id: UUID, status: 'pending' });

  await as(fleet, ann, 'POST', `/chats/${chatId}/read`, {});
  const afterAnn = (await as(fleet, ann, 'GET', `/chats/${chatId}/messages`)).body as { id: string; status: string }[];
  t.same(
    afterAnn.map((m) => [m.id, m.status]),
    [
      [fromAnn.id, 'pending'],
      [fromBob.id, 'read'],
    ],
    "ann read bob's message; her own stays pending",
  );
  await as(fleet, bob, 'POST', `/chats/${chatId}/read`, {});
  const afterBob = (await as(fleet, bob, 'GET', `/chats/${chatId}/messages`)).body as { status: string }[];
  t.same(
    afterBob.map((m) => m.status),
    ['read', 'read'],
  );
});

t.test(
  'handoffs: acceptedAt null until accepted, by route or tool, once; the list keeps what is not accepted',
  async (t) => {
    const fleet = await startCoordination(t);
    const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
    const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
    const first = (await as(fleet, ann, 'POST', '/handoffs', { to: 'bob', context: { branch: 'fleet/ann' } })).body;
    t.same(Object.keys(first), ['id', 'fromHandle', 'toHandle', 'context', 'status', 'createdAt', 'acceptedAt']);
    t.match(first, { fromHandle: 'ann', toHandle: 'bob', status: 'pending', acceptedAt: null });
    const second = toolJson(await callTool(fleet, ann, 'team_handoff', { to: 'bob', context: { step: 2 } }));

    const notYours = await as(fleet, cy, 'POST', `/handoffs/${first.id}/accept`);
    t.equal(notYours.status, 403, 'only its recipient or a lead');
    t.equal(notYours.body.code, 'MAIL_HANDOFF_NOT_RECIPIENT');

    const accepted = await as(fleet, bob, 'POST', `/handoffs/${first.id}/accept`);
    t.equal(accepted.status, 200);
    t.match(accepted.body, { id: first.id, status: 'accepted', acceptedAt: Number });
    t.ok(accepted.body.acceptedAt >= first.createdAt);
    const again = await as(fleet, bob, 'POST', `/handoffs/${first.id}/accept`);
    t.equal(again.status, 409, 'accepted once');
    t.same(again.body, { error: `Handoff ${first.id} was already accepted`, code: 'MAIL_HANDOFF_ACCEPTED' });

    t.same(
      (await as(fleet, bob, 'GET', '/handoffs/bob')).body.map((h: { id: number }) => h.id),
      [second.id],
      'the list keeps only what is not accepted',
    );
    const byTool = await callTool(fleet, alpha.lead, 'handoff_accept', { handoff_id: second.id });
    t.match(toolJson(byTool), { id: second.id, status: 'accepted' }, 'a lead accepts for its team, with the tool');
    t.same((await as(fleet, bob, 'GET', '/handoffs/bob')).body, []);
    const unknown = await callTool(fleet, bob, 'handoff_accept', { handoff_id: 999 });
    t.equal(toolText(unknown), 'MAIL_HANDOFF_NOT_FOUND: Handoff 999 not found');
  },
);

t.test('GET /mail/:handle, /mail/:handle/unread and /handoffs/:handle of a handle that is no agent: 404', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  for (const path of ['/mail/ghost', '/mail/ghost/unread', '/handoffs/ghost']) {
    const answer = await as(fleet, alpha.lead, 'GET', path);
    t.equal(answer.status, 404, path);
    t.same(answer.body, { error: 'Agent ghost not found', code: 'MAIL_AGENT_NOT_FOUND' }, path);
  }
  const queued = await as(fleet, alpha.lead, 'POST', '/mail', { to: 'ghost', body: 'for when you are spawned' });
  t.equal(queued.status, 200, 'mail may still wait for an agent not registered yet');
  await fleet.register('ghost', 'alpha');
  t.match(
    (await as(fleet, alpha.lead, 'GET', '/mail/ghost')).body,
    [{ body: 'for when you are spawned' }],
    'and is there once it is',
  );
});

t.test('route and tool refuse an oversized handoff context with the same message', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, mail: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const ann = alpha.workers[0]!;
  const context = { notes: 'x'.repeat(200_001) };
  const route = await as(fleet, ann, 'POST', '/handoffs', { to: 'bob', context });
  t.equal(route.status, 400);
  t.same(route.body, {
    error: 'context: must be at most 200000 characters of JSON',
    code: 'FLEET_INVALID_INPUT',
    field: 'context',
  });
  const tool = await callTool(fleet, ann, 'team_handoff', { to: 'bob', context });
  t.equal(
    toolText(tool),
    'FLEET_INVALID_INPUT: context: must be at most 200000 characters of JSON',
    'team_handoff says the same',
  );
  t.same((await as(fleet, alpha.lead, 'GET', '/handoffs/bob')).body, [], 'neither stored anything');
});

/** The mail tables exactly as the previous release's migrations 0001 and 0002 made them, with rows. */
async function writeOldMailDatabase(path: string): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  const { chatsMigration } = await import('./migrations/0001-chats.js');
  const { mailboxMigration } = await import('./migrations/0002-mailbox.js');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(path) }) });
  // auth's table as that release made it (a copy: another plugin's files are not ours to import).
  await db.schema
    .createTable('agents')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('team_name', 'text', (c) => c.notNull())
    .addColumn('agent_type', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint')
    .execute();
  await db.schema.createIndex('agents_team_handle').on('agents').columns(['team_name', 'handle']).unique().execute();
  await chatsMigration.up(db);
  await mailboxMigration.up(db);
  const record = async (table: string, names: string[]) => {
    await db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
      .execute();
    await db
      .insertInto(table)
      .values(names.map((name) => ({ name, timestamp: new Date().toISOString() })))
      .execute();
  };
  await record('fleet_migrations_auth', ['0001_agents']);
  await record('fleet_migrations_mail', ['0001_chats', '0002_mailbox']);
  const now = Date.now();
  await db
    .insertInto('chats')
    .values({ id: 'c1', team_name: 'alpha', kind: 'dm', created_at: now, updated_at: now })
    .execute();
  await db
    .insertInto('messages')
    .values(
      [1, 2, 3].map((n) => ({
        chat_id: 'c1',
        from_uid: 'u1',
        from_handle: 'ann',
        text: `old ${n}`,
        metadata: '{}',
        created_at: now + n,
      })),
    )
    .execute();
  await db
    .insertInto('handoffs')
    .values({
      team_name: 'alpha',
      from_handle: 'ann',
      to_handle: 'bob',
      context: '{"old":true}',
      status: 'delivered',
      created_at: now,
      delivered_at: now,
    })
    .execute();
  await db.destroy();
}

t.test(
  'a database written by the previous release upgrades in place: ' +
    'messages get UUIDs, handoffs acceptedAt, nothing is lost',
  { skip: testStorage() === 'postgres' ? 'the upgrade is checked on the embedded SQLite file' : false },
  async (t) => {
    const dataDir = tempDir(t);
    await writeOldMailDatabase(join(dataDir, 'fleet.db'));
    const fleet = await startFleet(t, {
      dataDir,
      plugins: { auth: true, mail: true },
      config: { storage: { driver: 'sqlite', path: join(dataDir, 'fleet.db') } },
    });
    t.ok(
      fleet.logs.some((line) => /plugin mail on .*0003_message_ids_and_handoff_acceptance/.test(line)),
      'the new migration ran',
    );
    const ann = await fleet.register('ann', 'alpha');
    const bob = await fleet.register('bob', 'alpha');
    const db = fleet.kernel.db;
    // The old chat's member rows did not exist for these uids: join them to read it.
    await db
      .insertInto('chat_members')
      .values([
        { chat_id: 'c1', uid: ann.uid, unread: 0 },
        { chat_id: 'c1', uid: bob.uid, unread: 0 },
      ])
      .execute();
    const messages = (await fleet.request('GET', '/chats/c1/messages', { token: bob.token })).body as {
      id: string;
      text: string;
      status: string;
    }[];
    t.same(
      messages.map((m) => m.text),
      ['old 1', 'old 2', 'old 3'],
      'every message, in order',
    );
    t.ok(
      messages.every((m) => UUID.test(m.id)),
      'each with a UUID',
    );
    t.equal(new Set(messages.map((m) => m.id)).size, 3, 'all different');
    t.ok(messages.every((m) => m.status === 'pending'));
    const page = (await fleet.request('GET', `/chats/c1/messages?after=${messages[0]!.id}`, { token: bob.token }))
      .body as { text: string }[];
    t.same(
      page.map((m) => m.text),
      ['old 2', 'old 3'],
      'cursors work on the old rows',
    );
    t.match(
      (await fleet.request('GET', '/handoffs/bob', { token: bob.token })).body,
      [{ context: { old: true }, status: 'delivered', acceptedAt: null }],
      'the old handoff is open',
    );
  },
);
