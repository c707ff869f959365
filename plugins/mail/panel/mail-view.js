import { ErrorNote, View, html, useApi, useEffect, useFleet, useMemo, useState, usePanelStyles } from 'fleet-dashboard';
import { ChatList, ChatThread } from './chats.js';
import { Mailbox } from './mailbox.js';

const PANEL_CSS = new URL('./panel.css', import.meta.url).href;

/** Chats followed at most (the socket joins each one's guarded topic). */
const FOLLOWED = 50;

/** @param {{ param?: string }} props */
export function MailView({ param }) {
  usePanelStyles(PANEL_CSS);
  const fleet = useFleet();
  const { uid, teamName } = fleet.identity;
  // Chat events come only from followed chats; a task's assignment DM may be a new chat (task_created is
  // team-wide), then followed once listed.
  const chats = useApi(`/users/${encodeURIComponent(uid)}/chats`, {
    refreshOn: ['new_message', 'broadcast', 'task_assigned', 'task_created'],
  });
  const agents = useApi(`/teams/${encodeURIComponent(teamName)}/agents`);
  const handles = useMemo(
    () => new Map((Array.isArray(agents.data) ? agents.data : []).map((agent) => [agent.uid, agent.handle])),
    [agents.data],
  );
  const list = Array.isArray(chats.data) ? chats.data : [];
  const [selected, setSelected] = useState(/** @type {string | undefined} */ (param));
  useEffect(() => setSelected(param), [param]);
  const chatId = selected ?? list[0]?.id;

  // Chat events reach a socket only after it joins the chat's topic: follow the caller's chats.
  const followKey = list
    .slice(0, FOLLOWED)
    .map((chat) => chat.id)
    .join(',');
  useEffect(() => {
    if (!followKey) return;
    const leaves = followKey.split(',').map((id) => fleet.follow('chatId', id));
    return () => leaves.forEach((leave) => leave());
  }, [fleet, followKey]);

  const chat = list.find((each) => each.id === chatId);
  return html`<${View} id="mail" title="Mail and chats">
    <${ErrorNote} error=${chats.error} title="Could not load your chats" onRetry=${chats.reload} />
    <div class="mail-layout">
      <section class="fd-card mail-chats">
        <div class="fd-card-title">Chats</div>
        <${ChatList}
          chats=${list}
          handles=${handles}
          me=${uid}
          selected=${chatId}
          onSelect=${(/** @type {string} */ id) => fleet.navigate(`#/mail/${encodeURIComponent(id)}`)}
        />
      </section>
      <section class="fd-card mail-thread">
        ${
          chatId
            ? html`<${ChatThread} key=${chatId} chatId=${chatId} chat=${chat} handles=${handles} me=${uid} />`
            : html`<div class="fd-muted">No chat yet.</div>`
        }
      </section>
      <section class="fd-card mail-box">
        <${Mailbox} />
      </section>
    </div>
  <//>`;
}
