import { createHash } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The seed's DM chat id: first 16 hex digits of sha256 of the two uids, sorted, joined by `:`. */
export function dmChatId(uid1: string, uid2: string): string {
  return sha256([uid1, uid2].sort().join(':')).slice(0, 16);
}

/** The seed's team chat id: first 16 hex digits of sha256(`team:<name>`). */
export function teamChatId(teamName: string): string {
  return sha256(`team:${teamName}`).slice(0, 16);
}
