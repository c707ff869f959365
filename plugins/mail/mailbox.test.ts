import t from 'tap';
import type { MailApi } from './index.js';
import { type Agent, as, registerTeam, startCoordination } from '../../test/kit/index.js';

t.test(
  'POST /mail returns the seed mail object; GET /mail/:handle lists newest first, /unread only unread',
  async (t) => {
    const fleet = await startCoordination(t);
    const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
    const [ann, bob] = alpha.workers as [Agent, Agent];

    const before = Date.now();
    const first = await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: 'first body', subject: 'hello' });
    t.equal(first.status, 200);
    const { id, createdAt, ...rest } = first.body;
    t.same(
      rest,
      { fromHandle: 'ann', toHandle: 'bob', subject: 'hello', body: 'first body', readAt: null },
      'the seed shape; from is the caller',
    );
    t.ok(Number.isInteger(id), 'an integer id');
    t.ok(createdAt >= before && createdAt <= Date.now(), 'createdAt in ms');

    const second = await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: 'second body' });
    t.equal(second.body.subject, null, 'no subject is null');
    const third = await as(fleet, alpha.lead, 'POST', '/mail', { to: 'bob', body: 'third body' });
    await as(fleet, bob, 'POST', '/mail', { to: 'ann', body: 'not for bob' });

    const all = await as(fleet, bob, 'GET', '/mail/bob');
    t.equal(all.status, 200);
    t.same(
      all.body.map((m: { body: string }) => m.body),
      ['third body', 'second body', 'first body'],
      "newest first, only bob's",
    );
    t.same(
      all.body.map((m: { id: number }) => m.id),
      [third.body.id, second.body.id, id],
    );

    const read = await as(fleet, bob, 'POST', `/mail/${second.body.id}/read`);
    t.equal(read.status, 200);
    t.same(read.body, { success: true, id: second.body.id }, 'the seed answer');
    const unread = await as(fleet, bob, 'GET', '/mail/bob/unread');
    t.same(
      unread.body.map((m: { body: string }) => m.body),
      ['third body', 'first body'],
      'unread only, newest first',
    );
    const afterRead = await as(fleet, bob, 'GET', '/mail/bob');
    const marked = afterRead.body.find((m: { id: number }) => m.id === second.body.id);
    t.type(marked.readAt, 'number', 'readAt is set in ms');
    const again = await as(fleet, bob, 'POST', `/mail/${second.body.id}/read`);
    t.same(again.body, { success: true, id: second.body.id }, 'marking read twice is fine');

    const fromField = await as(fleet, ann, 'POST', '/mail', { from: 'ann', to: 'bob', body: 'explicit from' });
    t.equal(fromField.status, 200, 'from naming yourself is accepted');
    const spoof = await as(fleet, ann, 'POST', '/mail', { from: 'bob', to: 'ann', body: 'forged' });
    t.equal(spoof.status, 403, 'from naming someone else is refused for a worker');
    t.match(spoof.body.error, /^from: /);
    const leadFor = await as(fleet, alpha.lead, 'POST', '/mail', { from: 'bob', to: 'ann', body: 'sent for bob' });
    t.equal(leadFor.status, 200, 'the lead may send for its team');
    t.equal(leadFor.body.fromHandle, 'bob');
    const annsMail = await as(fleet, ann, 'GET', '/mail/ann');
    t.notOk(
      annsMail.body.some((m: { body: string }) => m.body === 'forged'),
      'the forged mail was not stored',
    );
  },
);

t.test(
  "mail of others: workers see only their own; leads their team's; mark read is the recipient's or a lead's",
  async (t) => {
    const fleet = await startCoordination(t);
    const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
    const [ann, bob] = alpha.workers as [Agent, Agent];
    const mail = await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: 'secret' });

    for (const path of ['/mail/bob', '/mail/bob/unread']) {
      const denied = await as(fleet, ann, 'GET', path);
      t.equal(denied.status, 403, `GET ${path} as ann`);
      t.match(denied.body.error, /^handle: /, 'names the field');
      const lead = await as(fleet, alpha.lead, 'GET', path);
      t.equal(lead.status, 200, `GET ${path} as the lead`);
      t.equal(lead.body[0].body, 'secret');
    }

    const senderMarks = await as(fleet, ann, 'POST', `/mail/${mail.body.id}/read`);
    t.equal(senderMarks.status, 403, 'the sender is not the recipient');
    t.equal((await as(fleet, bob, 'GET', '/mail/bob/unread')).body.length, 1, 'still unread');
    const leadMarks = await as(fleet, alpha.lead, 'POST', `/mail/${mail.body.id}/read`);
    t.same(leadMarks.body, { success: true, id: mail.body.id }, 'a lead may');
    t.equal((await as(fleet, bob, 'GET', '/mail/bob/unread')).body.length, 0);

    for (const raw of ['abc', '1x', '-1', '1.5']) {
      const invalid = await as(fleet, bob, 'POST', `/mail/${raw}/read`);
      t.equal(invalid.status, 400, `/mail/${raw}/read`);
      t.same(invalid.body, { error: 'Invalid mail ID', code: 'MAIL_INVALID_ID', field: 'id' }, 'the seed error');
    }
    const missing = await as(fleet, bob, 'POST', '/mail/999999/read');
    t.equal(missing.status, 404, 'an unknown mail id');
  },
);

t.test('handoffs: POST /handoffs, GET /handoffs/:handle lists the pending ones', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];

  const created = await as(fleet, ann, 'POST', '/handoffs', {
    to: 'bob',
    context: { files: ['a.ts'], note: 'finish the parser' },
  });
  t.equal(created.status, 200);
  t.match(created.body, {
    fromHandle: 'ann',
    toHandle: 'bob',
    context: { files: ['a.ts'], note: 'finish the parser' },
    status: 'pending',
  });
  t.ok(Number.isInteger(created.body.id));
  await as(fleet, alpha.lead, 'POST', '/handoffs', { to: 'bob', context: { step: 2 } });
  await as(fleet, bob, 'POST', '/handoffs', { to: 'ann', context: { back: true } });

  const pending = await as(fleet, bob, 'GET', '/handoffs/bob');
  t.equal(pending.status, 200);
  t.same(
    pending.body.map((h: { fromHandle: string }) => h.fromHandle),
    ['ann', 'lead-alpha'],
    "bob's, in order",
  );
  t.equal((await as(fleet, ann, 'GET', '/handoffs/bob')).status, 403, "a worker may not read another's handoffs");
  t.equal((await as(fleet, alpha.lead, 'GET', '/handoffs/bob')).body.length, 2, 'the lead may');

  const spoof = await as(fleet, ann, 'POST', '/handoffs', { from: 'bob', to: 'ann', context: {} });
  t.equal(spoof.status, 403, 'from naming someone else');
  t.match(spoof.body.error, /^from: /);
  const leadFor = await as(fleet, alpha.lead, 'POST', '/handoffs', { from: 'ann', to: 'bob', context: { by: 'lead' } });
  t.equal(leadFor.status, 200);
  t.equal(leadFor.body.fromHandle, 'ann', 'a lead may hand off for a member');
});

t.test("MailApi.briefing: a worker's unread mail and pending handoffs as text; handoffs then delivered", async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const api = fleet.kernel.api<MailApi>('mail');
  t.ok(api, 'mail exposes its api');

  t.equal(await api!.briefing('alpha', 'bob'), undefined, 'nothing to tell: no briefing');

  await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: 'please review PR 12', subject: 'review' });
  const old = await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: 'already read' });
  await as(fleet, bob, 'POST', `/mail/${old.body.id}/read`);
  await as(fleet, alpha.lead, 'POST', '/mail', { to: 'bob', body: 'then deploy' });
  await as(fleet, ann, 'POST', '/mail', { to: 'ann', body: 'note to self' });
  await as(fleet, ann, 'POST', '/handoffs', { to: 'bob', context: { branch: 'fleet/ann', todo: 'tests' } });
  await fleet.request('POST', '/mail', {
    token: (await fleet.register('bob', 'beta')).token,
    body: { to: 'bob', body: 'beta mail' },
  });

  const text = await api!.briefing('alpha', 'bob');
  t.type(text, 'string');
  t.match(text, /2 unread mail/, 'counts the unread mail');
  const fenced = (kind: string, from: string, body: string) =>
    new RegExp(
      `\\[fleet\\] ${kind} from ${from}\\. [^\\n]*\\n<<<fleet-data ([0-9a-f]{12})\\n${body}\\nfleet-data \\1>>>`,
    );
  t.match(text, fenced('mail #\\d+', 'ann', 'Subject: review\\n\\nplease review PR 12'), 'each mail fenced as data');
  t.match(text, fenced('mail #\\d+', 'lead-alpha', 'then deploy'), 'with its sender');
  t.ok(text!.indexOf('please review PR 12') < text!.indexOf('then deploy'), 'oldest first, as a reader takes it in');
  t.notMatch(text, /already read/, 'read mail is left out');
  t.notMatch(text, /note to self|beta mail/, "others' mail is left out");
  t.match(text, /Handoffs for you \(1; accept each with handoff_accept/);
  t.match(
    text,
    fenced('handoff #\\d+', 'ann', '\\{\\n  "branch": "fleet/ann",\\n  "todo": "tests"\\n\\}'),
    'the handoff context, fenced',
  );

  t.match(
    (await as(fleet, bob, 'GET', '/handoffs/bob')).body,
    [{ fromHandle: 'ann', status: 'delivered', acceptedAt: null }],
    'a briefed handoff is delivered, still open until accepted',
  );
  t.equal((await as(fleet, bob, 'GET', '/mail/bob/unread')).body.length, 2, 'mail stays unread');
  const second = await api!.briefing('alpha', 'bob');
  t.notMatch(second, /Handoffs/, 'a second briefing has no handoffs');
  t.match(second, /2 unread mail/);
});
