// The signed-out page: how to get a sign-in link (`fleet open`), or paste a token.
import { html, useState, Button, FleetApiError } from './panel-kit.js';

/**
 * @param {{ message?: string, onToken: (token: string) => Promise<void> }} props
 */
export function SignIn({ message, onToken }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(/** @type {string | undefined} */ (undefined));
  const [busy, setBusy] = useState(false);

  const submit = async (/** @type {Event} */ event) => {
    event.preventDefault();
    const trimmed = token.trim().replace(/^Bearer\s+/i, '');
    if (!trimmed) {
      setError('Paste a token first.');
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      await onToken(trimmed);
    } catch (failure) {
      setBusy(false);
      setError(
        failure instanceof FleetApiError && failure.status !== 0
          ? `The fleet refused this token: ${failure.message}`
          : String(/** @type {any} */ (failure)?.message ?? failure),
      );
    }
  };

  return html`<main class="fd-signin" data-view="sign-in">
    <div class="fd-signin-card">
      <div class="fd-brand fd-brand-large"><span class="fd-logo" aria-hidden="true"></span> Fleet</div>
      ${message ? html`<p class="fd-signin-message" role="status">${message}</p>` : null}
      <p>
        Run <code>fleet open</code> in a terminal of the machine the fleet runs on: it prints (and opens) a one-time
        link that signs this tab in.
      </p>
      <form class="fd-signin-form" onSubmit=${submit}>
        <label for="fd-token">Or paste an agent token</label>
        <input
          id="fd-token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck="false"
          placeholder="eyJhbGciOi…"
          value=${token}
          onInput=${(/** @type {any} */ event) => setToken(event.currentTarget.value)}
        />
        ${error ? html`<div class="fd-form-error" role="alert">${error}</div>` : null}
        <${Button} type="submit" kind="primary" disabled=${busy} data-action="sign-in">
          ${busy ? 'Signing in…' : 'Sign in'}
        <//>
      </form>
      <p class="fd-muted fd-small">
        The token stays in this tab’s session storage and goes out only as a bearer header to this fleet. A worker’s
        token sees its team read-only; a lead’s may act.
      </p>
    </div>
  </main>`;
}
