/**
 * The dashboard's server side over HTTP (the browser tests are browser-*.test.ts): the page and its
 * CSP, the app's and the vendor files, traversal refused, caching, and the reads.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { REPO_ROOT, startFleet } from '../kit/index.js';

const PAGE = readFileSync(join(REPO_ROOT, 'core/dashboard/web/index.html'), 'utf8');

/** A GET with the path exactly as written (fetch would resolve `..` and `%2e` before sending). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The URLs the page names: its import map's and its links'. */
function pageUrls(html: string): { imports: Record<string, string>; links: string[] } {
  const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  const imports = (JSON.parse(map![1]!) as { imports: Record<string, string> }).imports;
  const links = [...html.matchAll(/<link [^>]*href="([^"]+)"/g)].map((match) => match[1]!);
  return { imports, links };
}

t.test('GET / serves the page with a CSP that allows exactly its inline import map', async (t) => {
  const fleet = await startFleet(t);
  const response = await fetch(`${fleet.url}/`);
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^text\/html/);
  t.equal(response.headers.get('cache-control'), 'no-store');
  t.equal(response.headers.get('x-content-type-options'), 'nosniff');
  t.equal(response.headers.get('referrer-policy'), 'no-referrer');
  t.equal(response.headers.get('x-frame-options'), 'DENY');
  const html = await response.text();
  t.equal(html, PAGE, 'the template as it is on disk');

  const csp = response.headers.get('content-security-policy')!;
  const directives = new Map(
    csp.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );
  const inline = [...PAGE.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(
    ([, attrs]) => !/src=/.test(attrs!),
  );
  t.equal(inline.length, 1, 'the template has one inline script: the import map');
  const hash = `'sha256-${createHash('sha256').update(inline[0]![2]!).digest('base64')}'`;
  t.same(directives.get('script-src'), ["'self'", hash], 'scripts: own files and the import map by its hash');
  t.same(directives.get('default-src'), ["'none'"]);
  t.same(directives.get('connect-src'), ["'self'"]);
  t.same(directives.get('frame-ancestors'), ["'none'"]);
  t.same(directives.get('base-uri'), ["'none'"]);
  t.same(directives.get('form-action'), ["'none'"]);
  t.notOk(csp.includes('unsafe-eval'), 'no eval');
  t.notOk(directives.get('script-src')!.includes("'unsafe-inline'"), 'no inline scripts but the hashed one');

  const head = await fetch(`${fleet.url}/`, { method: 'HEAD' });
  t.equal(head.status, 200, 'HEAD too');
});

t.test('every file the page names is served with its content type, from the installed packages', async (t) => {
  const fleet = await startFleet(t);
  const { imports, links } = pageUrls(PAGE);
  t.same(
    Object.keys(imports).sort(),
    ['@xterm/xterm', 'fleet-dashboard', 'htm', 'htm/preact', 'preact', 'preact/hooks', 'uplot'],
    'the contract’s import map',
  );
  for (const url of new Set([...Object.values(imports), ...links])) {
    // styles.css and app.js are the shell's (written beside this suite); skip what is not there yet.
    const response = await fetch(`${fleet.url}${url}`);
    if (url.startsWith('/dashboard/app/') && response.status === 404) continue;
    t.equal(response.status, 200, `${url} is served`);
    const type = response.headers.get('content-type');
    if (url.endsWith('.css')) t.match(type, /^text\/css/, `${url} is CSS`);
    else if (url.endsWith('.svg')) t.match(type, /^image\/svg\+xml/, `${url} is SVG`);
    else t.match(type, /^text\/javascript/, `${url} is JavaScript`);
    t.equal(response.headers.get('x-content-type-options'), 'nosniff');
    t.ok(response.headers.get('etag'), `${url} has an ETag`);
    const body = await response.text();
    if (url.startsWith('/dashboard/vendor/')) {
      const onDisk = readFileSync(join(REPO_ROOT, 'node_modules', url.slice('/dashboard/vendor/'.length)), 'utf8');
      t.equal(body, onDisk, `${url} is the installed package's file, not a copy`);
    }
  }
  const preact = await fetch(`${fleet.url}${imports.preact}`);
  t.match(preact.headers.get('cache-control'), /max-age=\d+/, 'vendor files may be cached');
  t.match(await preact.text(), /export\s*\{/, 'preact is served as an ES module');
});

t.test('ETags answer 304 while a file is unchanged; app files are revalidated', async (t) => {
  const fleet = await startFleet(t);
  const first = await fetch(`${fleet.url}/dashboard/app/panel-kit.js`);
  t.equal(first.status, 200);
  t.equal(first.headers.get('cache-control'), 'no-cache');
  const etag = first.headers.get('etag')!;
  const again = await fetch(`${fleet.url}/dashboard/app/panel-kit.js`, { headers: { 'if-none-match': etag } });
  t.equal(again.status, 304);
  t.equal(await again.text(), '');
  const stale = await fetch(`${fleet.url}/dashboard/app/panel-kit.js`, { headers: { 'if-none-match': '"old"' } });
  t.equal(stale.status, 200);
});

t.test('paths out of the served folders, and files not on the lists, are 404s', async (t) => {
  const fleet = await startFleet(t);
  const refused = [
    '/dashboard/app/../kernel/kernel.ts',
    '/dashboard/app/%2e%2e/kernel/kernel.ts',
    '/dashboard/app/..%2fkernel%2fkernel.ts',
    '/dashboard/app/%2E%2E%2F%2E%2E%2Fpackage.json',
    '/dashboard/app/..\\..\\package.json',
    '/dashboard/app//etc/passwd',
    '/dashboard/app/.hidden.js',
    '/dashboard/app/index.html',
    '/dashboard/app/panel-kit.js%00.png',
    '/dashboard/app/',
    '/dashboard/vendor/preact/package.json',
    '/dashboard/vendor/preact/../../package.json',
    '/dashboard/vendor/preact/dist/preact.js',
    '/dashboard/vendor/preact/src/index.js',
    '/dashboard/vendor/@xterm/xterm/package.json',
    '/dashboard/vendor/@xterm/../preact/dist/preact.mjs',
    '/dashboard/vendor/left-pad/index.js',
    '/dashboard/vendor/constructor/x.js',
    '/dashboard/vendor/__proto__/x.js',
    '/dashboard/panels/auth/index.js',
    '/dashboard/panels/auth/../../../package.json',
    '/dashboard/panels/../app/panel-kit.js',
  ];
  for (const path of refused) {
    const response = await rawGet(fleet.url, path, { host: new URL(fleet.url).host });
    t.equal(response.status, 404, `${path} → 404`);
    t.notMatch(response.body, /"version"|import |root:/, `${path} leaks nothing`);
    t.match(JSON.parse(response.body), { code: /^(DASHBOARD_FILE_NOT_FOUND|FLEET_ROUTE_NOT_FOUND)$/ });
  }
  const post = await fetch(`${fleet.url}/dashboard/app/panel-kit.js`, { method: 'POST' });
  t.equal(post.status, 404, 'files answer GET and HEAD only');
});

t.test('the files are public and outside the rate limit; the reads need a token', async (t) => {
  const fleet = await startFleet(t, { config: { server: { rateLimit: { max: 3 } } } });
  for (let i = 0; i < 10; i++) {
    const response = await fetch(`${fleet.url}/dashboard/vendor/preact/dist/preact.mjs`);
    t.equal(response.status, 200, `file request ${i + 1} is served`);
    await response.arrayBuffer();
  }
  for (const path of ['/dashboard/panels', '/dashboard/plugins', '/dashboard/me']) {
    const response = await fleet.request('GET', path);
    t.equal(response.status, 401, `${path} without a token`);
    t.equal(response.body.code, 'FLEET_AUTH_REQUIRED');
  }
});

t.test('the reads and the sign-in routes, as OpenAPI shows them', async (t) => {
  const fleet = await startFleet(t);
  const { body } = await fleet.request('GET', '/openapi.json');
  const paths = Object.keys(body.paths as Record<string, unknown>);
  for (const path of ['/dashboard/me', '/dashboard/panels', '/dashboard/plugins']) t.ok(paths.includes(path), path);
  t.notOk(
    paths.some((path) => path.startsWith('/dashboard/sign-in')),
    'sign-in is not an operation (never a tool): it is documented in docs/dashboard.md',
  );
  const tools = await fleet.request('GET', '/mcp/tools', { token: (await fleet.register('w', 'alpha')).token });
  t.notOk(JSON.stringify(tools.body).includes('dashboard'), 'no dashboard tools');
  const wrongMethod = await fleet.request('GET', '/dashboard/sign-in');
  t.equal(wrongMethod.status, 405, 'GET on a sign-in route is 405');
  t.match(wrongMethod.headers.get('allow'), /POST/);
});

t.test('/dashboard/plugins: every plugin, on or off and why, and its panel', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, metrics: false } });
  const lead = await fleet.register('lead', 'alpha', 'team-lead');
  const { status, body } = await fleet.request('GET', '/dashboard/plugins', { token: lead.token });
  t.equal(status, 200);
  const byName = new Map((body.plugins as { name: string }[]).map((plugin) => [plugin.name, plugin]));
  t.match(byName.get('auth'), { name: 'auth', state: 'on', panel: null });
  t.match(byName.get('metrics'), { name: 'metrics', state: 'off', reason: 'turned off in the config', panel: null });
});
