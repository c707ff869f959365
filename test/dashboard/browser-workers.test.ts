/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core, one per file), against a
 * real fleet with the workers plugin (the fake agent as `claude`, real tmux) and policy: signing in,
 * the overview, a worker's transcript and a lead's message, an approval decided inline, what a worker's
 * token may do, and a fleet reached by a foreign name or from a foreign page. Screenshots of each view go
 * to test/dashboard/.screenshots (FLEET_DASHBOARD_DOCS=1 also refreshes docs/dashboard/<view>.png).
 */
import { createServer } from 'node:http';
import t from 'tap';
import {
  browserMissing,
  type DashboardPage,
  type TestLike,
  launchBrowser,
  openDashboard,
  signInCode,
  startFleet,
  startWorkerFleet,
  type TestFleet,
  waitFor,
  type WorkerFleet,
} from '../kit/index.js';
import type { Browser } from 'playwright-core';

const skip = browserMissing();
/** A name that resolves to loopback inside the browser only: the fleet reached by a name not its own. */
const FOREIGN = 'evil.test';
const HOOKED_AGENT = new URL('./hooked-agent.mjs', import.meta.url).pathname;

let browser: Browser | undefined;
/** The file's one Chromium, launched by the first test that needs it, closed when the file ends. */
async function chromium(): Promise<Browser> {
  browser ??= await launchBrowser(t, { args: [`--host-resolver-rules=MAP ${FOREIGN} 127.0.0.1`] });
  return browser;
}

/** The fleet these tests use: workers (the hooked fake agent: it runs the policy's PreToolUse hook) and policy. */
function workerFleet(t: TestLike): Promise<WorkerFleet> {
  return startWorkerFleet(t, {
    plugins: { policy: { approvals: { timeoutSeconds: 120 } } },
    workers: { claude: { command: [process.execPath, HOOKED_AGENT] } },
  });
}

/** A fleet of auth alone with a team lead: enough to sign in (no workers, no tmux). */
async function leadFleet(t: TestLike): Promise<{ fleet: TestFleet; lead: string }> {
  const fleet = await startFleet(t, { plugins: { auth: true } });
  return { fleet, lead: (await fleet.register('lead', 'alpha', 'team-lead')).token };
}

/** The text of a worker's terminal (its whole buffer, scrollback included), as the page holds it. */
function terminalText(dash: DashboardPage, handle: string): Promise<string> {
  return dash.page
    .locator(`[data-terminal="${handle}"]`)
    .evaluate((element: any) => (element.transcriptText ? element.transcriptText() : ''));
}

async function waitTerminal(dash: DashboardPage, handle: string, text: string, timeoutMs = 15_000): Promise<string> {
  return waitFor(
    `${handle}'s terminal to show ${JSON.stringify(text)}`,
    async () => {
      const shown = await terminalText(dash, handle);
      return shown.includes(text) ? shown : undefined;
    },
    timeoutMs,
    50,
  );
}

t.test(
  'sign in: a one-time code from the URL, kept in the tab only; used once; a pasted token; sign-out',
  { skip },
  async (t) => {
    const w = await leadFleet(t);
    const dash = await openDashboard(t, await chromium(), w.fleet, { token: w.lead });
    const { page } = dash;
    t.equal(await dash.connection(), 'live', 'the socket is live');
    t.equal(new URL(page.url()).hash, '', 'the code is gone from the address bar');
    t.equal(
      (await page.evaluate(() => sessionStorage.getItem('fleet.token')?.length ?? 0)) > 20,
      true,
      'a token in the tab',
    );
    t.same(
      (await page.context().cookies()).map((cookie) => cookie.name),
      [],
      'no cookie: nothing for a cross-site request to ride on',
    );
    await dash.view('needs-you').waitFor();
    t.match(await page.locator('.fd-who').innerText(), /lead/, 'signed in as the lead');
    await dash.screenshot('needs-you-empty');

    // A code works once: the same link in another tab is refused, with a way forward.
    const { url } = await signInCode(w.fleet, w.lead);
    const first = await (await chromium()).newContext();
    t.teardown(() => first.close());
    const firstPage = await first.newPage();
    await firstPage.goto(url);
    await firstPage.locator('body[data-connection="live"]').waitFor();
    const second = await (await chromium()).newContext();
    t.teardown(() => second.close());
    const secondPage = await second.newPage();
    await secondPage.goto(url);
    await secondPage.locator('[data-view="sign-in"]').waitFor();
    t.match(await secondPage.locator('[data-view="sign-in"]').innerText(), /already used or has expired/);

    // Paste a token instead.
    await secondPage.locator('#fd-token').first().fill(w.lead);
    await secondPage.locator('[data-action="sign-in"]').click();
    await secondPage.locator('body[data-connection="live"]').waitFor();
    t.pass('a pasted token signs in');

    await page.locator('[data-action="sign-out"]').click();
    await page.locator('[data-view="sign-in"]').waitFor();
    t.equal(await page.evaluate(() => sessionStorage.getItem('fleet.token')), null, 'sign-out forgets the token');
    t.equal(await dash.connection(), 'offline');
    await dash.screenshot('sign-in', { doc: 'sign-in' });
    t.same(dash.errors, [], 'no page errors');
  },
);

t.test(
  'overview: a worker spawned through the API shows within 2 s; its transcript streams, scrollback, a message',
  { skip },
  async (t) => {
    const w = await workerFleet(t);
    // History before the page opens: the worker's transcript must load it from the log.
    const early = await w.spawn('early', { initialPrompt: 'the first prompt of early' });
    t.equal(early.status, 201, JSON.stringify(early.body));
    await w.waitWorker('early', (x) => x.state === 'idle', 'its first turn');
    const statuses: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const body = { message: `note ${i}` };
      statuses.push((await w.fleet.request('POST', '/orchestrate/send/early', { token: w.lead, body })).status);
    }
    t.same([...new Set(statuses)], [200], 'twenty messages sent');
    await w.waitWorker('early', (x) => x.state === 'idle' && x.numTurns === 21, 'twenty more turns');

    const dash = await openDashboard(t, await chromium(), w.fleet, { token: w.lead });
    const overview = await dash.go('workers');
    await overview.locator('[data-worker="early"]').waitFor();

    const spawned = await w.spawn('fresh', { initialPrompt: 'hello from the test' });
    t.equal(spawned.status, 201, JSON.stringify(spawned.body));
    const seen = Date.now();
    await overview.locator('[data-worker="fresh"]').waitFor({ timeout: 2000 });
    t.ok(Date.now() - seen <= 2000, 'the new worker is in the overview within 2 s of its spawn');
    await overview.locator('[data-worker="fresh"][data-state="idle"]').waitFor({ timeout: 15_000 });
    t.match(await overview.locator('[data-worker="fresh"]').innerText(), /ack: hello from the test/, 'its last line');
    await dash.screenshot('workers', { doc: 'workers' });

    // A worker's view: the scrollback from its log (the first turn, 21 turns back), then the live tail.
    await overview.locator('[data-worker="early"] a').first().click();
    const view = dash.view('worker');
    await view.waitFor();
    t.match(new URL(dash.page.url()).hash, /^#\/worker\/early$/);
    const scrollback = await waitTerminal(dash, 'early', 'ack: note 20');
    t.match(scrollback, /the first prompt of early/, 'the scrollback goes back to its first prompt');
    t.ok(scrollback.indexOf('note 1') < scrollback.indexOf('note 20'), 'in order');
    const scrolled = await dash.page
      .locator('[data-terminal="early"]')
      .evaluate((element: any) => element.terminal.buffer.active.baseY as number);
    t.ok(scrolled > 0, `the first prompt is in scrollback, above the screen (${scrolled} lines up)`);

    // A lead sends a message from the page; the agent's answer streams in.
    await view.locator('textarea[name="message"]').fill('a message typed in the dashboard');
    await view.locator('[data-action="send-submit"]').click();
    await waitTerminal(dash, 'early', 'ack: a message typed in the dashboard');
    const stored = await w.allOutput('early');
    t.ok(
      stored.some((line) => line.text.includes('a message typed in the dashboard')),
      'the message reached the agent (its log has it)',
    );
    await dash.screenshot('worker', { doc: 'worker' });
    t.same(dash.errors, [], 'no page errors');
  },
);

t.test('needs you: a worker held by an approval is approved inline and continues', { skip }, async (t) => {
  const w = await workerFleet(t);
  const rule = await w.fleet.request('POST', '/policies', {
    token: w.lead,
    body: { name: 'ask-deploy', decision: 'ask', tool: 'Bash', pattern: 'deploy', reason: 'Deploys need a lead' },
  });
  t.equal(rule.status, 201, JSON.stringify(rule.body));
  const dash = await openDashboard(t, await chromium(), w.fleet, { token: w.lead });
  const inbox = dash.view('needs-you');
  await inbox.waitFor();

  const spawned = await w.spawn('shipper', { initialPrompt: 'HOOKED Bash {"command":"./deploy.sh prod"}' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const approval = await waitFor('the ask', async () => {
    const listed = await w.fleet.request('GET', '/approvals', { token: w.lead });
    return (listed.body as any[]).find((a) => a.agent === 'shipper');
  });
  const item = inbox.locator(`[data-inbox-key="policy:approval:${approval.id}"]`);
  await item.waitFor({ timeout: 2000 });
  t.match(await item.innerText(), /shipper wants to run Bash: \.\/deploy\.sh prod/);
  t.match(await dash.page.locator('[data-nav="needs-you"]').innerText(), /1/, 'the nav counts it');
  t.equal((await w.worker('shipper')).result, null, 'the worker waits: no result yet');
  await dash.screenshot('needs-you', { doc: 'needs-you' });

  await item.locator('[data-action="Approve"]').click();
  const idle = await w.waitWorker('shipper', (x) => x.state === 'idle', 'its turn done');
  t.match(idle.result, /^ack: allowed Bash: Fleet policy "ask-deploy": Deploys need a lead \(Approved by lead/);
  await item.waitFor({ state: 'detached' });
  t.pass('the item leaves the inbox once decided');
  const decided = await w.fleet.request('GET', `/approvals/${approval.id}`, { token: w.lead });
  t.match(decided.body, { status: 'approved', decidedBy: 'lead' });
  t.same(dash.errors, [], 'no page errors');
});

t.test("a worker's token: its team read-only (no controls, no inline actions)", { skip }, async (t) => {
  const w = await workerFleet(t);
  t.equal((await w.spawn('busy', { initialPrompt: 'DENY Bash {"command":"rm -rf build"}' })).status, 201);
  await w.waitWorker('busy', (x) => x.state === 'idle' && x.needsYou !== null, 'refused a tool');
  const worker = (await w.fleet.register('viewer', w.team)).token;
  const refused = await w.fleet.request('POST', '/dashboard/sign-in-codes', { token: worker });
  t.equal(refused.status, 403, 'a worker gets no sign-in code');

  // A worker pastes its token.
  const context = await (await chromium()).newContext({ viewport: { width: 1280, height: 800 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(w.fleet.url);
  await page.locator('#fd-token').first().fill(worker);
  await page.locator('[data-action="sign-in"]').click();
  await page.locator('body[data-connection="live"]').waitFor();
  t.match(await page.locator('.fd-who').innerText(), /read-only/);

  const item = page.locator('[data-inbox-key="workers:needs-you:busy"]');
  await item.waitFor();
  t.equal(await item.locator('[data-action]').count(), 0, 'no action on an inbox item');
  await page.evaluate(() => (location.hash = '#/worker/busy'));
  await page.locator('[data-view="worker"] [data-terminal="busy"]').waitFor();
  t.equal(await page.locator('[data-view="worker"] [data-action]').count(), 0, 'no send box, pause or dismiss');
  const sent = await page.evaluate(async (url) => {
    const response = await fetch(`${url}/orchestrate/dismiss/busy`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sessionStorage.getItem('fleet.token')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    return response.status;
  }, w.fleet.url);
  t.equal(sent, 403, "and the server refuses a worker's action anyway");
});

t.test('a foreign Host (DNS rebinding) or a foreign page is refused', { skip }, async (t) => {
  const w = await leadFleet(t);
  const port = new URL(w.fleet.url).port;
  const context = await (await chromium()).newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();

  // The fleet reached by a name that is not its own: the page is not served.
  const rebound = await page.goto(`http://${FOREIGN}:${port}/`);
  t.equal(rebound?.status(), 403);
  t.match(await rebound?.json(), { code: 'FLEET_FORBIDDEN_HOST' });

  // A page of another origin (a server of this test, reached by the foreign name) calls the fleet at its
  // real address: the request carries that page's Origin, and the fleet refuses it, socket included.
  const other = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((resolveListen) => other.listen(0, '127.0.0.1', resolveListen));
  t.teardown(() => new Promise<void>((resolveClose) => other.close(() => resolveClose())));
  const otherPort = (other.address() as { port: number }).port;
  await page.goto(`http://${FOREIGN}:${otherPort}/`);
  const tried = await page.evaluate(
    async ({ fleetUrl, token }) => {
      const health = await fetch(`${fleetUrl}/health`, { mode: 'no-cors' }).then(
        (response) => response.type,
        (error: Error) => `failed: ${error.message}`,
      );
      const socket = await new Promise<string>((resolveSocket) => {
        const ws = new WebSocket(`${fleetUrl.replace(/^http/, 'ws')}/ws`);
        ws.onopen = () => {
          ws.send(JSON.stringify({ type: 'auth', token }));
          resolveSocket('open');
        };
        ws.onerror = () => resolveSocket('refused');
      });
      return { health, socket };
    },
    { fleetUrl: w.fleet.url, token: w.lead },
  );
  t.equal(tried.socket, 'refused', 'the WebSocket upgrade from another origin is refused (no cross-site socket)');
  t.ok(tried.health === 'opaque' || tried.health.startsWith('failed'), 'the page cannot read the fleet');
  const origin = `http://${FOREIGN}:${otherPort}`;
  const asked = await w.fleet.request('GET', '/health', { headers: { origin } });
  t.equal(asked.status, 403, 'the same Origin is refused at the HTTP level');
  t.equal(asked.body.code, 'FLEET_FORBIDDEN_ORIGIN');
});
