/**
 * Dashboard benchmark, against a real `fleet up` child process and Debian's Chromium (playwright-core):
 *  1. time to first render: 50 workers with 10,000 lines of output history between them (200 each,
 *     10,000 worker_output events); from opening the sign-in URL to every worker's row in the overview,
 *     from reloading that tab to the same, and from the overview to a worker's view showing its
 *     scrollback's last line; p50/max over a few fresh tabs;
 *  2. event lag at 50 workers × 100 lines/s: external workers (POST /orchestrate/workers/:handle/output,
 *     the cheap way to have 50 streaming workers) push batches whose lines carry the time they were sent;
 *     the lag is from then to the line's worker_output event reaching a Node socket client (the server's
 *     own delivery), or the page's WebSocket handler (in the page's own event loop, so a page busy
 *     rendering shows as lag) with 1 and with 5 dashboards open on the overview; sockets a page had to
 *     open again (a drop and resume) are counted;
 *  3. server CPU: the fleet process's user+system time (/proc/<pid>/stat) over each streaming window
 *     (no dashboard, 1, 5) and idle (no streaming) with 5 open.
 * Run with `npm run bench dashboard`. BENCH_SECONDS sets the streaming window (default 5 × 2).
 * Without Chromium at /usr/bin/chromium it says so and exits 0 (nothing to measure).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { type FleetProcess, startFleetProcess, stopFleetProcess } from './lib/fleet-process.js';
import { benchSeconds, machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const CHROMIUM = '/usr/bin/chromium';
const WORKERS = 50;
const HISTORY_LINES = 10_000;
const LINES_PER_SECOND = 100;
/** Each worker pushes every BATCH_MS, LINES_PER_SECOND × BATCH_MS / 1000 lines at a time. */
const BATCH_MS = 200;
const DASHBOARDS = 5;
const RENDER_RUNS = 5;
const STREAM_SECONDS = benchSeconds() * 2;
const PAD = 'x'.repeat(60);

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
const handleOf = (i: number) => `w-${String(i).padStart(2, '0')}`;

/** The fleet under test: every plugin the dashboard's panels need, fake workers up to WORKERS + 5. */
function startFleet(dir: string): Promise<FleetProcess> {
  return startFleetProcess(dir, (socket) => ({
    auth: true,
    mail: true,
    tasks: true,
    workers: { max: WORKERS + 5, tmux: { socket, session: 'bench' } },
    policy: true,
    sessions: true,
  }));
}

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}

async function must(response: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const { status, body } = await response;
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** The 50 external workers and their history: 200 lines each, pushed in pages of 100. */
async function seed(fleet: FleetProcess): Promise<void> {
  const perWorker = HISTORY_LINES / WORKERS;
  for (let i = 0; i < WORKERS; i++) {
    const handle = handleOf(i);
    await must(
      fleet.request('POST', '/orchestrate/workers/register', { handle, format: 'text' }),
      `register ${handle}`,
    );
    for (let from = 0; from < perWorker; from += 100) {
      const lines = Array.from({ length: 100 }, (_, n) => `history ${handle} line ${from + n} ${PAD}`);
      await must(fleet.request('POST', `/orchestrate/workers/${handle}/output`, { lines }), `history ${handle}`);
    }
  }
}

/** A fresh tab signed in through a one-time code; its WebSocket messages timed as they reach the page. */
async function openTab(browser: Browser, fleet: FleetProcess): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const lags: number[] = [];
    (window as any).__benchLags = lags;
    (window as any).__benchSockets = 0;
    // Main-thread time in long tasks (over 50 ms each): how busy the page is kept.
    (window as any).__benchBusy = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) (window as any).__benchBusy += entry.duration;
    }).observe({ type: 'longtask' });
    const Native = window.WebSocket;
    // The first listener of every socket the page opens: it sees each message when the page's event
    // loop gets to it, before the shell's own handler.
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        (window as any).__benchSockets += 1;
        this.addEventListener('message', (event) => {
          const at = Date.now();
          const text = typeof event.data === 'string' ? event.data : '';
          // A frame may be a batch of many events (the page asks for batches): time each one in it.
          for (const sent of text.matchAll(/"line":"stream \S+ sent=(\d+)/g)) lags.push(at - Number(sent[1]));
        });
      }
    };
  });
  const code = await must(fleet.request('POST', '/dashboard/sign-in-codes', {}), 'sign-in code');
  await page.goto(`${fleet.url}/#code=${encodeURIComponent(code.code)}`);
  return page;
}

const workerRows = (page: Page, count: number) =>
  page.waitForFunction((n) => document.querySelectorAll('[data-view="workers"] [data-worker]').length >= n, count, {
    timeout: 60_000,
  });

/** A signed-in tab on the overview with every worker's row. */
async function overviewTab(browser: Browser, fleet: FleetProcess): Promise<Page> {
  const page = await openTab(browser, fleet);
  await page.locator('body[data-connection="live"]').waitFor({ timeout: 60_000 });
  await page.evaluate(() => (location.hash = '#/workers'));
  await workerRows(page, WORKERS);
  return page;
}

interface RenderTimes {
  /** A fresh tab: the sign-in URL opened → every worker's row in the overview. */
  signIn: number[];
  /** The same tab reloaded on #/workers (its token kept) → every row. */
  reload: number[];
  /** From the overview to a worker's view with the last line of its scrollback in the terminal. */
  worker: number[];
}

/** Time to first render in fresh tabs: sign in to the overview, reload it, open a worker. */
async function firstRender(browser: Browser, fleet: FleetProcess): Promise<RenderTimes> {
  const times: RenderTimes = { signIn: [], reload: [], worker: [] };
  for (let run = 0; run < RENDER_RUNS; run++) {
    let started = performance.now();
    const page = await overviewTab(browser, fleet);
    times.signIn.push(performance.now() - started);
    started = performance.now();
    await page.reload();
    await workerRows(page, WORKERS);
    times.reload.push(performance.now() - started);
    const handle = handleOf(run);
    const last = `history ${handle} line ${HISTORY_LINES / WORKERS - 1} `;
    started = performance.now();
    await page.evaluate((hash) => (location.hash = hash), `#/worker/${handle}`);
    await page.waitForFunction(
      ({ who, text }) => {
        const terminal = document.querySelector<any>(`[data-terminal="${who}"]`);
        return Boolean(terminal?.transcriptText?.().includes(text));
      },
      { who: handle, text: last },
      { timeout: 60_000 },
    );
    times.worker.push(performance.now() - started);
    await page.context().close();
  }
  for (const list of Object.values(times)) list.sort((a: number, b: number) => a - b);
  return times;
}

/** 50 workers × 100 lines/s for `seconds`: every worker pushes a batch every BATCH_MS, stamped with its send time. */
async function stream(fleet: FleetProcess, seconds: number): Promise<{ lines: number; failures: number }> {
  const perBatch = (LINES_PER_SECOND * BATCH_MS) / 1000;
  const end = Date.now() + seconds * 1000;
  let lines = 0;
  let failures = 0;
  let n = 0;
  const workerLoop = async (i: number) => {
    const handle = handleOf(i);
    // Spread the workers over the batch interval, as independent agents would be.
    await sleep((BATCH_MS * i) / WORKERS);
    for (let next = Date.now(); next < end; next += BATCH_MS) {
      const sent = Date.now();
      const batch = Array.from({ length: perBatch }, () => `stream ${handle} sent=${sent} n=${n++} ${PAD}`);
      const { status } = await fleet.request('POST', `/orchestrate/workers/${handle}/output`, { lines: batch });
      if (status === 200) lines += perBatch;
      else failures += 1;
      await sleep(Math.max(0, next + BATCH_MS - Date.now()));
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, i) => workerLoop(i)));
  return { lines, failures };
}

/** The fleet's CPU use over `run`, as a share of one core (100% = one core busy the whole time). */
async function cpuDuring<T>(
  pid: number,
  run: () => Promise<T>,
): Promise<{ percent: number; seconds: number; wall: number; result: T }> {
  const cpu = cpuSeconds(pid);
  const started = performance.now();
  const result = await run();
  const wall = (performance.now() - started) / 1000;
  const seconds = cpuSeconds(pid) - cpu;
  return { percent: (seconds / wall) * 100, seconds, wall, result };
}

/** Push → arrival at a Node `ws` client of the team (the server's delivery, no browser), ms. */
async function socketLags(fleet: FleetProcess): Promise<{ lags: number[]; close: () => void }> {
  const lags: number[] = [];
  const ws = new WebSocket(`${fleet.url.replace(/^http/, 'ws')}/ws`);
  await new Promise<void>((resolveOpen, reject) => {
    ws.once('open', () => resolveOpen());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'auth', token: fleet.lead }));
  ws.on('message', (data) => {
    const at = Date.now();
    const sent = /"line":"stream \S+ sent=(\d+)/.exec((data as Buffer).toString('utf8'));
    if (sent) lags.push(at - Number(sent[1]));
  });
  return { lags, close: () => ws.terminate() };
}

interface Watched {
  lags: number[];
  lines: number;
  failures: number;
  cpu: number;
  /** Sockets the pages opened again while streaming (a drop and resume). */
  reconnects: number;
  /** The fleet's CPU time over the window, seconds. */
  cpuSeconds: number;
  /** How long the window took, seconds (longer than asked when the pushers fell behind). */
  wall: number;
  /** The share of the window the pages' main threads spent in long tasks, % (mean over the pages). */
  busy: number;
}

/** A streaming window with these pages open: their lags, the lines pushed, the fleet's CPU. */
async function watchedStream(pid: number, fleet: FleetProcess, pages: Page[]): Promise<Watched> {
  const socketsBefore: number[] = [];
  for (const page of pages) {
    await page.evaluate(() => {
      (window as any).__benchLags.length = 0;
      (window as any).__benchBusy = 0;
    });
    socketsBefore.push(await page.evaluate(() => (window as any).__benchSockets as number));
  }
  const started = performance.now();
  const run = await cpuDuring(pid, () => stream(fleet, STREAM_SECONDS));
  const wallMs = performance.now() - started;
  let busyMs = 0;
  for (const page of pages) busyMs += await page.evaluate(() => (window as any).__benchBusy as number);
  await sleep(2000); // the last lines' events reach the pages
  const lags: number[] = [];
  let reconnects = 0;
  for (const [index, page] of pages.entries()) {
    lags.push(...(await page.evaluate(() => (window as any).__benchLags as number[])));
    reconnects += (await page.evaluate(() => (window as any).__benchSockets as number)) - socketsBefore[index]!;
    await page.context().close();
  }
  return {
    lags,
    lines: run.result.lines,
    failures: run.result.failures,
    cpu: run.percent,
    cpuSeconds: run.seconds,
    wall: run.wall,
    reconnects,
    busy: (busyMs / pages.length / wallMs) * 100,
  };
}

function lagRow(label: string, lags: number[], expected: number, reconnects: number): string[] {
  const sorted = [...lags].sort((a, b) => a - b);
  const ms = (value: number) => formatNumber(value, 0);
  return [
    label,
    `${formatNumber(sorted.length)} of ${formatNumber(expected)}`,
    ms(percentile(sorted, 50)),
    ms(percentile(sorted, 95)),
    ms(sorted.at(-1) ?? NaN),
    String(reconnects),
  ];
}

function cpuRow(label: string, lines: number, wall: number, percent: number, seconds: number, busy?: number): string[] {
  return [
    label,
    formatNumber(lines),
    lines > 0 ? formatNumber(lines / wall) : '0',
    formatNumber(percent, 1),
    lines > 0 ? formatNumber((seconds * 1000 * 1000) / lines, 1) : '—',
    busy === undefined ? '—' : formatNumber(busy, 0),
  ];
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    process.stdout.write(`dashboard: no Chromium at ${CHROMIUM}; nothing measured (apt-get install chromium)\n`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-dashboard-'));
  let fleet: FleetProcess | undefined;
  let browser: Browser | undefined;
  try {
    fleet = await startFleet(dir);
    const pid = fleet.child.pid!;
    await seed(fleet);
    const args = ['--disable-dev-shm-usage', '--disable-gpu', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });

    const render = await firstRender(browser, fleet);

    // Streaming with no page open: the server's own delivery, to a Node socket client of the team.
    // A first streaming window unmeasured: the server's code paths warm (JIT, statement caches) first.
    await stream(fleet, Math.min(3, STREAM_SECONDS));
    const client = await socketLags(fleet);
    const quiet = await cpuDuring(pid, () => stream(fleet!, STREAM_SECONDS));
    await sleep(2000);
    client.close();
    const one = await watchedStream(pid, fleet, [await overviewTab(browser, fleet)]);
    const pages: Page[] = [];
    for (let i = 0; i < DASHBOARDS; i++) pages.push(await overviewTab(browser, fleet));
    const idleOpen = await cpuDuring(pid, () => sleep(STREAM_SECONDS * 1000));
    const five = await watchedStream(pid, fleet, pages);

    const ms = (value: number) => formatNumber(value, 0);
    process.stdout.write(
      [
        `${WORKERS} workers, ${formatNumber(HISTORY_LINES)} lines of history (one worker_output event each); ` +
          `${RENDER_RUNS} fresh tabs, ms.`,
        formatTable(
          ['time to first render', 'p50', 'max'],
          [
            ['sign-in URL → every worker row', ms(percentile(render.signIn, 50)), ms(render.signIn.at(-1)!)],
            ['reload on the overview → every row', ms(percentile(render.reload, 50)), ms(render.reload.at(-1)!)],
            [
              'overview → a worker view with its scrollback',
              ms(percentile(render.worker, 50)),
              ms(render.worker.at(-1)!),
            ],
          ],
        ),
        '',
        `${WORKERS} workers × ${LINES_PER_SECOND} lines/s for ${STREAM_SECONDS} s (pushed every ${BATCH_MS} ms): ` +
          "push → a Node socket client, or the page's socket handler (dashboards on the overview), ms.",
        formatTable(
          ['event lag', 'events', 'p50', 'p95', 'max', 'reconnects'],
          [
            lagRow('Node client, no dashboard', client.lags, quiet.result.lines, 0),
            lagRow('1 dashboard', one.lags, one.lines, one.reconnects),
            lagRow(`${DASHBOARDS} dashboards`, five.lags, five.lines * DASHBOARDS, five.reconnects),
          ],
        ),
        '',
        'Server CPU (the fleet process, user + system; 100% = one core) and how busy the pages kept their main ' +
          'threads (long tasks, mean per page).',
        formatTable(
          ['server CPU', 'lines pushed', 'lines/s', 'CPU %', 'CPU ms / 1,000 lines', 'pages busy %'],
          [
            cpuRow('streaming, no dashboard open', quiet.result.lines, quiet.wall, quiet.percent, quiet.seconds),
            cpuRow('streaming, 1 dashboard open', one.lines, one.wall, one.cpu, one.cpuSeconds, one.busy),
            cpuRow(`idle, ${DASHBOARDS} dashboards open`, 0, idleOpen.wall, idleOpen.percent, idleOpen.seconds),
            cpuRow(
              `streaming, ${DASHBOARDS} dashboards open`,
              five.lines,
              five.wall,
              five.cpu,
              five.cpuSeconds,
              five.busy,
            ),
          ],
        ),
        `Push failures: ${quiet.result.failures + one.failures + five.failures}. Chromium ${browser.version()}; ` +
          machineNote().replace('the load client and the server', 'the pushers, Chromium and the server'),
      ].join('\n') + '\n',
    );
  } finally {
    await browser?.close();
    stopFleetProcess(fleet, dir);
  }
}

await main();
