import { dataFence } from '../../core/index.js';
import type { HandoffService } from './handoff-service.js';
import type { MailService } from './mail-service.js';

/**
 * What a worker should know when it starts: its unread mail and the handoffs waiting for it, as
 * text for its first prompt, each item fenced as data with its sender. Handoffs are marked
 * delivered (they stay open until accepted); mail stays unread until the worker reads it, so it
 * can still be listed with mail_read.
 */
export async function briefingFor(
  mail: MailService,
  handoffs: HandoffService,
  teamName: string,
  handle: string,
): Promise<string | undefined> {
  const [unread, waiting] = await Promise.all([
    mail.list(teamName, handle, true),
    handoffs.undelivered(teamName, handle),
  ]);
  if (unread.length === 0 && waiting.length === 0) return undefined;
  const parts: string[] = [];
  if (unread.length > 0) {
    parts.push(`You have ${unread.length} unread mail message(s):`);
    for (const item of [...unread].reverse()) {
      const text = item.subject ? `Subject: ${item.subject}\n\n${item.body}` : item.body;
      parts.push(dataFence({ kind: `mail #${item.id}`, from: item.fromHandle }, text));
    }
  }
  if (waiting.length > 0) {
    parts.push(`Handoffs for you (${waiting.length}; accept each with handoff_accept once you have taken it over):`);
    for (const handoff of waiting)
      parts.push(
        dataFence(
          { kind: `handoff #${handoff.id}`, from: handoff.fromHandle },
          JSON.stringify(handoff.context, null, 2),
        ),
      );
    await handoffs.markDelivered(
      teamName,
      waiting.map((h) => h.id),
    );
  }
  return parts.join('\n');
}
