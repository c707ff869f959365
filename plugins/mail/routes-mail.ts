import * as v from 'valibot';
import { badRequest, forbidden, handleSchema, notFound } from '../../core/index.js';
import type { PluginRouter } from '../../core/http/plugin-router.js';
import { assertOwnHandle } from './access.js';
import { jsonObject } from './json-object.js';
import type { MailService } from './mail-service.js';

const bodySchema = v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(50_000, 'must be at most 50000 characters'));

export function registerMailRoutes(router: PluginRouter, mail: MailService): void {
  router.post(
    '/mail',
    {
      summary: 'Send mail to an agent of your team',
      body: v.object({ from: v.optional(handleSchema), to: handleSchema, body: bodySchema, subject: v.optional(v.pipe(v.string(), v.maxLength(200, 'must be at most 200 characters'))) }),
    },
    async ({ body, identity }) => {
      if (body.from !== undefined) assertOwnHandle(identity, body.from, 'from');
      return mail.send(identity.teamName, body.from ?? identity.handle, body.to, body.body, body.subject);
    },
  );

  router.get('/mail/:handle', { summary: 'All mail of an agent, newest first (yours, or your team’s if you lead)', params: v.object({ handle: handleSchema }) }, async ({ params, identity }) => {
    assertOwnHandle(identity, params.handle);
    return mail.list(identity.teamName, params.handle, false);
  });

  router.get('/mail/:handle/unread', { summary: 'Unread mail of an agent, newest first', params: v.object({ handle: handleSchema }) }, async ({ params, identity }) => {
    assertOwnHandle(identity, params.handle);
    return mail.list(identity.teamName, params.handle, true);
  });

  router.post('/mail/:id/read', { summary: 'Mark a mail read (its recipient, or a team lead)' }, async ({ identity }, ctx) => {
    const raw = String(ctx.params.id ?? '');
    if (!/^\d{1,15}$/.test(raw)) throw badRequest('Invalid mail ID');
    const id = Number(raw);
    const item = await mail.get(identity.teamName, id);
    if (!item) throw notFound(`Mail ${id} not found`);
    if (item.toHandle !== identity.handle && identity.agentType !== 'team-lead') throw forbidden('Only the recipient or a team lead may mark this mail read');
    await mail.markRead(identity.teamName, id);
    return { success: true, id };
  });

  router.post(
    '/handoffs',
    {
      summary: 'Hand context over to another agent of your team',
      body: v.object({ from: v.optional(handleSchema), to: handleSchema, context: jsonObject() }),
    },
    async ({ body, identity }) => {
      if (body.from !== undefined) assertOwnHandle(identity, body.from, 'from');
      if (JSON.stringify(body.context).length > 200_000) throw badRequest('context: must be at most 200000 characters of JSON');
      return mail.createHandoff(identity.teamName, body.from ?? identity.handle, body.to, body.context);
    },
  );

  router.get('/handoffs/:handle', { summary: 'Pending handoffs for an agent', params: v.object({ handle: handleSchema }) }, async ({ params, identity }) => {
    assertOwnHandle(identity, params.handle);
    return mail.pendingHandoffs(identity.teamName, params.handle);
  });
}
