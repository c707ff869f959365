/**
 * A real browser for the dashboard's tests: Debian's Chromium (/usr/bin/chromium) driven by
 * playwright-core, headless, one browser per test file (launchBrowser), a fresh context per page
 * (openDashboard) signed in to a fleet the way a person is: a lead's one-time sign-in code
 * (POST /dashboard/sign-in-codes) opened as `<url>/#code=<code>`. Everything is closed at teardown.
 *
 * Without Chromium the tests are skipped with the reason (browserMissing), except under CI=true,
 * where they run and fail: CI installs it (.ci/run).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Locator, Page } from 'playwright-core';
import { requestJson } from './http.js';
import { REPO_ROOT } from './paths.js';
import type { TestLike } from './test-like.js';

/** Debian's Chromium, the one the tests drive (installed by .ci/run when missing). */
export const CHROMIUM = '/usr/bin/chromium';
/** Where every screenshot of a run goes (git-ignored). */
export const SCREENSHOTS_DIR = join(REPO_ROOT, 'test/dashboard/.screenshots');
/** The committed screenshots, one per view, for the README (written when FLEET_DASHBOARD_DOCS=1). */
export const DOCS_SCREENSHOTS_DIR = join(REPO_ROOT, 'docs/dashboard');

/**
 * Why the browser tests cannot run here, or undefined when they can (or must: under CI=true a
 * missing Chromium is not a reason to skip, the launch fails instead). Use as a test's `skip`.
 */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return undefined;
  return `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it, and CI=true makes this a failure)`;
}

/**
 * Chromium, headless, closed when the test ends. Root needs --no-sandbox (Chromium refuses to start
 * otherwise). `args`: more switches, e.g. `--host-resolver-rules=MAP evil.test 127.0.0.1` to reach the
 * fleet by a foreign name (a DNS rebinding) or serve a foreign origin's page.
 */
export async function launchBrowser(t: TestLike, options: { args?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: the browser tests need it (apt-get install chromium)`);
  const { chromium } = await import('playwright-core');
  const args = ['--disable-dev-shm-usage', '--disable-gpu', ...(options.args ?? [])];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 30_000 });
  t.teardown(() => browser.close());
  return browser;
}

/** What a dashboard test needs from a fleet: its URL (the kit's TestFleet has it). */
export interface FleetAddress {
  url: string;
}

/** A one-time sign-in code of the token's identity (POST /dashboard/sign-in-codes), with the URL that uses it. */
export async function signInCode(fleet: FleetAddress, token: string): Promise<{ code: string; url: string }> {
  const response = await requestJson(fleet.url, 'POST', '/dashboard/sign-in-codes', { token });
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`POST /dashboard/sign-in-codes: ${response.status} ${JSON.stringify(response.body)}`);
  }
  const { code } = response.body as { code: string };
  // The fleet's own address, not the one the server put in `url`: the test reaches it by this one.
  return { code, url: `${fleet.url}/#code=${encodeURIComponent(code)}` };
}

export interface DashboardPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught page errors and console errors (CSP violations among them), as text. */
  errors: string[];
  /** The root of a view (`[data-view="<id>"]`). */
  view(id: string): Locator;
  /** Go to `#/<id>[/<param>]` and wait for that view's root; returns it. */
  go(id: string, param?: string): Promise<Locator>;
  /** The body's data-connection: 'live', 'resuming' or 'offline' (undefined before the shell set it). */
  connection(): Promise<string | null>;
  /**
   * A screenshot into test/dashboard/.screenshots/<name>.png; with `doc` and FLEET_DASHBOARD_DOCS=1
   * also docs/dashboard/<doc>.png (the README's). Returns the path.
   */
  screenshot(name: string, options?: { doc?: string; target?: Locator }): Promise<string>;
}

export interface OpenOptions {
  /** Sign in with this token's identity (default: sign in through a code of `token`). */
  token: string;
  /** Default 1280×800. */
  viewport?: { width: number; height: number };
  /** Wait for the WebSocket to be live (data-connection="live") before returning (default true). */
  live?: boolean;
}

/**
 * A page of its own (fresh context: its own sessionStorage) signed in to the fleet as the token's
 * identity through a one-time code, waiting until the shell is up and its socket live.
 */
export async function openDashboard(
  t: TestLike,
  browser: Browser,
  fleet: FleetAddress,
  options: OpenOptions,
): Promise<DashboardPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  const { url } = await signInCode(fleet, options.token);
  await page.goto(url);
  if (options.live !== false) await page.locator('body[data-connection="live"]').waitFor({ timeout: 15_000 });
  const view = (id: string) => page.locator(`[data-view="${id}"]`);
  return {
    page,
    context,
    errors,
    view,
    async go(id, param) {
      await page.evaluate((hash) => (location.hash = hash), `#/${id}${param === undefined ? '' : `/${param}`}`);
      const root = view(id);
      await root.waitFor({ timeout: 10_000 });
      return root;
    },
    connection: () => page.locator('body').getAttribute('data-connection'),
    async screenshot(name, shotOptions = {}) {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      const path = join(SCREENSHOTS_DIR, `${name}.png`);
      if (shotOptions.target) await shotOptions.target.screenshot({ path });
      else await page.screenshot({ path });
      if (shotOptions.doc && process.env.FLEET_DASHBOARD_DOCS === '1') {
        mkdirSync(DOCS_SCREENSHOTS_DIR, { recursive: true });
        copyFileSync(path, join(DOCS_SCREENSHOTS_DIR, `${shotOptions.doc}.png`));
      }
      return path;
    },
  };
}
