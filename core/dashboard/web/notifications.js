// Desktop notifications for new needs-you items, only after the person opted in with the button (the
// browser asks for permission then, never on page load). The opt-in is remembered in localStorage (a
// preference, not a secret); several tabs of one fleet show one notification per item (its key is the tag).

import { safeLink } from './router.js';

const OPT_IN_KEY = 'fleet.notifications';
/** Items put this soon after sign-in are the panels' initial lists, not news: no notification for them. */
const SETTLE_MS = 3000;

export function notificationsSupported() {
  return typeof Notification === 'function';
}

/** 'on' (opted in and allowed), 'off' (not opted in), 'denied' (the browser blocks them), 'unsupported'. */
export function notificationState() {
  if (!notificationsSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  return Notification.permission === 'granted' && readOptIn() ? 'on' : 'off';
}

function readOptIn() {
  try {
    return localStorage.getItem(OPT_IN_KEY) === 'on';
  } catch {
    return false;
  }
}

function writeOptIn(/** @type {boolean} */ on) {
  try {
    if (on) localStorage.setItem(OPT_IN_KEY, 'on');
    else localStorage.removeItem(OPT_IN_KEY);
  } catch {
    // Storage disabled: the opt-in lasts as long as the page.
  }
}

/** Ask the browser (from a click: browsers require a gesture) and remember the answer. */
export async function enableNotifications() {
  if (!notificationsSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  writeOptIn(permission === 'granted');
  return notificationState();
}

export function disableNotifications() {
  writeOptIn(false);
  return notificationState();
}

/**
 * Show a notification for each new item while opted in, unless the person is looking at the page.
 * @param {import('./inbox-store.js').InboxStore} inbox
 * @param {{ teamName: string }} identity
 * @param {(hash: string) => void} navigate
 */
export function notifyNewItems(inbox, identity, navigate) {
  const startedAt = Date.now();
  return inbox.onArrival((item) => {
    if (Date.now() - startedAt < SETTLE_MS || item.severity === 'info') return;
    if (notificationState() !== 'on') return;
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    try {
      const notification = new Notification(item.title, {
        body: item.detail ? String(item.detail).slice(0, 240) : `Needs you · team ${identity.teamName}`,
        tag: `fleet:${identity.teamName}:${item.key}`,
        icon: '/dashboard/app/favicon.svg',
      });
      notification.onclick = () => {
        window.focus();
        navigate(safeLink(item.link) ?? '#/needs-you');
        notification.close();
      };
    } catch (error) {
      // Some browsers only allow notifications from a service worker; the inbox still shows the item.
      console.warn('desktop notification failed', error);
    }
  });
}
