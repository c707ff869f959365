// Routing by the URL's hash: `#/<viewId>[/<param>]`. The hash never reaches the server, and a sign-in
// fragment (`#code=`) is not a route (the shell consumes it before routing starts).
import { useEffect, useState } from './panel-kit.js';

export const DEFAULT_VIEW = 'needs-you';

/**
 * The route of a hash: `{ view, param }`; `param` is everything after the view's id (decoded), if any.
 * @param {string} hash
 */
export function parseHash(hash) {
  const path = hash.replace(/^#\/?/, '');
  if (!path || path.startsWith('code=')) return { view: DEFAULT_VIEW, param: undefined };
  const slash = path.indexOf('/');
  const view = safeDecode(slash < 0 ? path : path.slice(0, slash));
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  return { view: view || DEFAULT_VIEW, param: rest ? safeDecode(rest) : undefined };
}

/** The hash of a view (and param). */
export function hashOf(/** @type {string} */ view, /** @type {string | undefined} */ param) {
  return `#/${encodeURIComponent(view)}${param === undefined ? '' : `/${encodeURIComponent(param)}`}`;
}

/** Only the page's own routes: an item's link never leaves the fleet nor runs anything (`javascript:`). */
export function safeLink(/** @type {unknown} */ link) {
  if (typeof link !== 'string') return undefined;
  if (link.startsWith('#/')) return link;
  if (link.startsWith('/') && !link.startsWith('//')) return `#${link}`;
  return undefined;
}

function safeDecode(/** @type {string} */ text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The current route; re-renders the caller when the hash changes. */
export function useRoute() {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    onChange();
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
