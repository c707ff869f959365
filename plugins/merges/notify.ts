import type { Logger } from '../../core/index.js';
import type { MergeEntry } from './entry-view.js';
import type { MailPort } from './ports.js';

const TOLD: readonly string[] = ['conflict', 'failed', 'refused'];

/** The mail a worker and its lead get when their entry did not merge. */
export function notice(entry: MergeEntry): { subject: string; body: string } {
  const report = entry.report;
  const lines = [`Merge queue: ${entry.branch} → ${entry.target} is ${entry.status}.`, entry.message ?? ''];
  if (report?.conflictFiles?.length)
    lines.push('Files in conflict:', ...report.conflictFiles.map((file) => `- ${file}`));
  if (entry.status === 'failed' && report?.testOutput?.length)
    lines.push('The test’s last lines:', ...report.testOutput.slice(-15));
  for (const hunk of report?.hunks?.lost ?? []) lines.push(`Lost: ${hunk.path}:${hunk.line} ${hunk.sample}`);
  lines.push(`Entry ${entry.id}: fix the branch, then POST /merge-queue/${entry.id}/retry.`);
  return { subject: `merge ${entry.status}: ${entry.branch}`, body: lines.filter(Boolean).join('\n') };
}

/** Tell the worker and its lead (each once) by mail, when mail is on; a failure to tell is logged. */
export async function tellPeople(entry: MergeEntry, mail: MailPort | undefined, log: Logger): Promise<void> {
  if (!mail || !TOLD.includes(entry.status)) return;
  const { subject, body } = notice(entry);
  const people = [...new Set([entry.handle, entry.leadHandle].filter((who): who is string => !!who))];
  for (const who of people) {
    try {
      await mail.mail.send(entry.teamName, 'merge-queue', who, body, subject);
    } catch (error) {
      log.warn('merge queue: could not mail', { to: who, error: String(error) });
    }
  }
}
