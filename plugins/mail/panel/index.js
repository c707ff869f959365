// The mail plugin's panel: the `mail` view — the caller's chats (live: each one followed on the socket)
// and mailbox (live: new_mail); read-only for workers, leads may post and send mail.
import { MailView } from './mail-view.js';

export const views = [{ id: 'mail', title: 'Mail', order: 40, component: MailView }];
