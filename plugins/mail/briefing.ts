import type { MailService } from './mail-service.js';

/**
 * What a worker should know when it starts: its unread mail and the handoffs waiting for it, as
 * text for its first prompt. Handoffs are marked delivered; mail stays unread until the worker
 * reads it, so it can still be listed with mail_read.
 */
export async function briefingFor(mail: MailService, teamName: string, handle: string): Promise<string | undefined> {
  const [unread, handoffs] = await Promise.all([mail.list(teamName, handle, true), mail.pendingHandoffs(teamName, handle)]);
  if (unread.length === 0 && handoffs.length === 0) return undefined;
  const parts: string[] = [];
  if (unread.length > 0) {
    parts.push(`You have ${unread.length} unread mail message(s):`);
    for (const item of [...unread].reverse()) {
      parts.push(`- #${item.id} from ${item.fromHandle}${item.subject ? ` — ${item.subject}` : ''}:\n${item.body}`);
    }
  }
  if (handoffs.length > 0) {
    parts.push(`Handoffs for you (${handoffs.length}):`);
    for (const handoff of handoffs) parts.push(`- from ${handoff.fromHandle}: ${JSON.stringify(handoff.context)}`);
    await mail.markHandoffsDelivered(teamName, handoffs.map((h) => h.id));
  }
  return parts.join('\n');
}
