import {
  Badge,
  Button,
  Empty,
  ErrorNote,
  html,
  timeAgo,
  useApi,
  useEffect,
  useEvents,
  useFleet,
  useFrameState,
  useRef,
  useState,
} from 'fleet-dashboard';

/** A chat's name: "Team chat", or the other members' handles. */
export function chatName(
  /** @type {any} */ chat,
  /** @type {Map<string, string>} */ handles,
  /** @type {string} */ me,
) {
  if (!chat) return 'Chat';
  if (chat.kind === 'team') return 'Team chat';
  const others = (chat.participants ?? []).filter((/** @type {string} */ uid) => uid !== me);
  return others.map((/** @type {string} */ uid) => handles.get(uid) ?? uid.slice(0, 8)).join(', ') || 'You';
}

/**
 * @param {{ chats: any[], handles: Map<string, string>, me: string, selected?: string,
 *   onSelect: (id: string) => void }} props
 */
export function ChatList({ chats, handles, me, selected, onSelect }) {
  if (chats.length === 0) return html`<${Empty}>No chats yet.<//>`;
  return html`<ul class="mail-chat-list">
    ${chats.map(
      (chat) =>
        html`<li key=${chat.id}>
          <button
            class=${`mail-chat${chat.id === selected ? ' mail-chat-on' : ''}`}
            data-chat=${chat.id}
            onClick=${() => onSelect(chat.id)}
          >
            <span class="mail-chat-name">${chatName(chat, handles, me)}</span>
            ${chat.unread > 0 ? html`<${Badge} tone="action" title="unread">${chat.unread}<//>` : null}
            <span class="mail-chat-last fd-small fd-muted">
              ${
                chat.lastMessage
                  ? `${chat.lastMessage.fromHandle.replace(/^collab:/, '')}: ${chat.lastMessage.text}`
                  : 'no messages'
              }
            </span>
            <span class="fd-small fd-muted">${timeAgo(chat.updatedAt)}</span>
          </button>
        </li>`,
    )}
  </ul>`;
}

/**
 * One chat's latest messages, then live (new_message / broadcast / task_assigned of this chat, batched
 * per frame). Leads may post.
 * @param {{ chatId: string, chat: any, handles: Map<string, string>, me: string }} props
 */
export function ChatThread({ chatId, chat, handles, me }) {
  const fleet = useFleet();
  const page = useApi(`/chats/${encodeURIComponent(chatId)}/messages?limit=100`);
  const [heard, update] = useFrameState(() => /** @type {any[]} */ ([]));
  useEffect(() => update(() => []), [page.data]);
  useEvents(['new_message', 'broadcast', 'task_assigned'], (event) => {
    if (event.chatId !== chatId || !event.message) return;
    update((previous) => [...previous, event.message]);
  });
  const seen = new Set();
  const messages = [...(Array.isArray(page.data) ? page.data : []), ...heard].filter((message) => {
    if (seen.has(message.id)) return false;
    seen.add(message.id);
    return true;
  });
  const end = useRef(/** @type {HTMLDivElement | null} */ (null));
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [messages.length]);

  return html`<div class="mail-thread-inner" data-chat-thread=${chatId}>
    <div class="fd-card-title">${chatName(chat, handles, me)}</div>
    <${ErrorNote} error=${page.error} title="Could not load the messages" onRetry=${page.reload} />
    <div class="mail-messages">
      ${messages.length === 0 && !page.loading ? html`<div class="fd-muted">No messages.</div>` : null}
      ${messages.map(
        (message) =>
          html`<div
            key=${message.id}
            class=${`mail-message${message.fromUid === me ? ' mail-mine' : ''}`}
            data-message=${message.id}
          >
            <div class="fd-small">
              <strong>${message.fromHandle.replace(/^collab:/, '')}</strong>
              <span class="fd-muted"> ${timeAgo(message.timestamp)}</span>
              ${message.metadata?.taskId ? html` <${Badge} tone="info">task<//>` : null}
              ${message.metadata?.isBroadcast ? html` <${Badge}>broadcast<//>` : null}
            </div>
            <div class="mail-text">${message.text}</div>
          </div>`,
      )}
      <div ref=${end}></div>
    </div>
    ${fleet.identity.isLead ? html`<${PostBox} chatId=${chatId} />` : null}
  </div>`;
}

function PostBox({ chatId }) {
  const fleet = useFleet();
  const [text, setText] = useState('');
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const post = async () => {
    if (!text.trim()) return;
    setError(null);
    try {
      await fleet.api('POST', `/chats/${encodeURIComponent(chatId)}/messages`, { text });
      setText('');
    } catch (failure) {
      setError(String(/** @type {any} */ (failure)?.message ?? failure));
    }
  };
  return html`<form
    class="fd-row mail-post"
    onSubmit=${(/** @type {Event} */ event) => {
      event.preventDefault();
      return post();
    }}
  >
    <input
      class="fd-input mail-post-input"
      placeholder="Message"
      value=${text}
      onInput=${(/** @type {any} */ event) => setText(event.currentTarget.value)}
    />
    <${Button} type="submit" kind="primary">Send<//>
    ${error ? html`<div class="fd-form-error" role="alert">${error}</div>` : null}
  </form>`;
}
