import { Counter } from 'prom-client';
import t from 'tap';
import { definePlugin } from '../../core/index.js';
import { startFleet } from '../../test/kit/index.js';
import type { MetricsApi } from './index.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(raw: string, line: number): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw))
    throw new Error(`line ${line}: value ${JSON.stringify(raw)} is not a number`);
  return Number(raw);
}

/** `{a="x",b="y\"z"}` starting at `start`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (text[i] !== '}') {
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!nameMatch) throw new Error(`line ${line}: bad label name at column ${i}`);
    const name = nameMatch[0];
    if (name in labels) throw new Error(`line ${line}: label ${name} repeated`);
    i += name.length;
    if (text[i] !== '=' || text[i + 1] !== '"') throw new Error(`line ${line}: expected ="" after label ${name}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`line ${line}: unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else throw new Error(`line ${line}: bad escape \\${next ?? ''} in label ${name}`);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`line ${line}: expected , or } after label ${name}`);
  }
  return { labels, end: i + 1 };
}

/** The family a sample belongs to, given the families declared so far. */
function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sampleName);
  if (direct && direct.type !== 'histogram') return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family?.type === 'histogram' || (family?.type === 'summary' && suffix !== '_bucket')) return family;
  }
  return undefined;
}

/**
 * A strict parser of the Prometheus text exposition format 0.0.4: every sample's family is declared
 * by a TYPE line before it, families are contiguous, series are unique, values are numbers, label
 * values are properly escaped, histograms are cumulative and end in le="+Inf" equal to _count.
 */
function parsePrometheus(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((content, index) => {
    const line = index + 1;
    if (content === '') return;
    if (content.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(content);
      if (!meta) return; // a plain comment
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      if (closed.has(name)) throw new Error(`line ${line}: family ${name} continues after another family`);
      let family = families.get(name);
      if (current && current.name !== name) closed.add(current.name);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: unknown type ${rest}`);
        if (family?.type !== undefined) throw new Error(`line ${line}: second TYPE for ${name}`);
        family = { name, type: rest as Family['type'], help: family?.help, samples: [] };
        families.set(name, family);
      } else {
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`line ${line}: bad escape in HELP of ${name}`);
        if (family?.help !== undefined) throw new Error(`line ${line}: second HELP for ${name}`);
        const help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
        if (family) family.help = help;
        else {
          // HELP may precede TYPE; the type is filled in by the TYPE line, which must come before samples.
          family = { name, type: undefined as unknown as Family['type'], help, samples: [] };
          families.set(name, family);
        }
      }
      current = family;
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(content);
    if (!nameMatch) throw new Error(`line ${line}: not a sample: ${JSON.stringify(content)}`);
    const name = nameMatch[0];
    let labels: Record<string, string> = {};
    let rest = content.slice(name.length);
    if (rest.startsWith('{')) {
      const parsed = parseLabels(content, name.length, line);
      labels = parsed.labels;
      rest = content.slice(parsed.end);
    }
    const parts = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2)
      throw new Error(`line ${line}: expected "value [timestamp]" after ${name}`);
    const value = parseValue(parts[0]!, line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${line}: bad timestamp ${parts[1]}`);
    const family = familyOf(name, families);
    if (!family || family.type === undefined)
      throw new Error(`line ${line}: sample ${name} has no TYPE line before it`);
    if (family !== current)
      throw new Error(`line ${line}: sample ${name} is not grouped with its family ${family.name}`);
    if (family.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined)
      throw new Error(`line ${line}: bucket without le`);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`line ${line}: duplicate series ${series}`);
    seen.add(series);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) {
    if (family.type === undefined) throw new Error(`family ${family.name} has HELP but no TYPE`);
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, Sample[]>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  for (const sample of family.samples) {
    if (!sample.name.endsWith('_bucket')) continue;
    const key = keyOf(sample.labels);
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  for (const [key, buckets] of groups) {
    let previous = -Infinity;
    let previousCount = 0;
    for (const bucket of buckets) {
      const le = parseValue(bucket.labels.le!, 0);
      if (le <= previous) throw new Error(`${family.name}${key}: le not increasing`);
      if (bucket.value < previousCount) throw new Error(`${family.name}${key}: buckets not cumulative`);
      previous = le;
      previousCount = bucket.value;
    }
    if (previous !== Infinity) throw new Error(`${family.name}${key}: no le="+Inf" bucket`);
    const count = family.samples.find((s) => s.name === `${family.name}_count` && keyOf(s.labels) === key);
    if (!count || count.value !== previousCount)
      throw new Error(`${family.name}${key}: _count differs from the +Inf bucket`);
    if (!family.samples.some((s) => s.name === `${family.name}_sum` && keyOf(s.labels) === key))
      throw new Error(`${family.name}${key}: no _sum`);
  }
}

const ODD_LABEL = 'quote " backslash \\ newline \n end';
const ODD_HELP = 'help with a backslash \\ and a\nnewline';

/** Adds a metric whose label value and help need every escape, through the metrics plugin's api. */
const oddLabels = definePlugin({
  name: 'oddlabels',
  dependsOn: ['metrics'],
  setup(ctx) {
    const { metrics } = ctx.use<MetricsApi>('metrics');
    const counter = new Counter({
      name: 'probe_odd_labels_total',
      help: ODD_HELP,
      labelNames: ['text'],
      registers: [metrics.registry],
    });
    counter.inc({ text: ODD_LABEL }, 2);
  },
});

const sampleOf = (families: Map<string, Family>, family: string, name: string, labels: Record<string, string>) =>
  families
    .get(family)
    ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

t.test('the test parser is strict', async (t) => {
  const good =
    '# HELP a_total A help\n# TYPE a_total counter\na_total{x="q\\"b\\\\s\\nn"} 3\na_total{x="plain"} 1.5e3\n';
  const parsed = parsePrometheus(good);
  t.same(
    parsed.get('a_total')?.samples.map((s) => [s.labels.x, s.value]),
    [
      ['q"b\\s\nn', 3],
      ['plain', 1500],
    ],
  );
  const bad: [string, string][] = [
    ['no TYPE', 'a_total 1\n'],
    ['value not a number', '# TYPE a counter\na one\n'],
    ['bad escape', '# TYPE a counter\na{x="\\t"} 1\n'],
    ['unterminated label', '# TYPE a counter\na{x="y} 1\n'],
    ['unquoted label', '# TYPE a counter\na{x=y} 1\n'],
    ['duplicate series', '# TYPE a counter\na{x="y"} 1\na{x="y"} 2\n'],
    ['no final newline', '# TYPE a counter\na 1'],
    ['unknown type', '# TYPE a meter\na 1\n'],
    ['histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['histogram not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['second TYPE', '# TYPE a counter\n# TYPE a counter\na 1\n'],
    ['bad metric name', '# TYPE 1a counter\n1a 1\n'],
    ['split family', '# TYPE a counter\n# TYPE b counter\nb 1\na 1\n'],
  ];
  for (const [name, text] of bad) t.throws(() => parsePrometheus(text), name);
});

t.test('GET /metrics parses as Prometheus text and counts requests by route template', async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, metrics: true, oddlabels: true },
    extraPlugins: [oddLabels],
  });
  const agent = await fleet.register('alice', 'alpha');
  t.equal((await fleet.request('GET', '/teams/alpha/agents', { token: agent.token })).status, 200);
  t.equal((await fleet.request('GET', '/teams/alpha/agents')).status, 401);
  t.equal((await fleet.request('GET', '/no/such/thing/12345')).status, 404);

  const response = await fetch(`${fleet.url}/metrics`);
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  let families = new Map<string, Family>();
  t.doesNotThrow(() => {
    families = parsePrometheus(text);
  }, 'strictly valid');

  const requests = families.get('fleet_http_requests_total');
  t.equal(requests?.type, 'counter');
  t.ok(requests?.help, 'with HELP');
  const auth = sampleOf(families, 'fleet_http_requests_total', 'fleet_http_requests_total', {
    method: 'POST',
    route: '/auth',
    status: '200',
  });
  t.ok(auth, 'POST /auth is counted with its route');
  t.ok(auth && auth.value >= 1);
  t.ok(
    sampleOf(families, 'fleet_http_requests_total', 'fleet_http_requests_total', {
      route: '/teams/:teamName/agents',
      status: '401',
    }),
    'refusals count, by status',
  );
  t.ok(
    sampleOf(families, 'fleet_http_requests_total', 'fleet_http_requests_total', { route: 'unmatched', status: '404' }),
    'unknown paths share one label',
  );
  const routes = new Set(requests?.samples.map((s) => s.labels.route));
  t.notOk(
    [...routes].some((route) => route?.includes('alpha') || route?.includes('12345')),
    'labels are templates, never raw paths',
  );

  const duration = families.get('fleet_http_request_duration_seconds');
  t.equal(duration?.type, 'histogram');
  t.ok(
    sampleOf(families, 'fleet_http_request_duration_seconds', 'fleet_http_request_duration_seconds_bucket', {
      method: 'POST',
      route: '/auth',
      le: '+Inf',
    }),
  );
  t.ok(
    sampleOf(families, 'fleet_http_request_duration_seconds', 'fleet_http_request_duration_seconds_count', {
      method: 'POST',
      route: '/auth',
    }),
  );

  for (const name of [
    'fleet_process_cpu_user_seconds_total',
    'fleet_process_resident_memory_bytes',
    'fleet_nodejs_heap_size_used_bytes',
    'fleet_nodejs_eventloop_lag_seconds',
  ]) {
    t.ok(families.get(name)?.samples.length, `process metric ${name}`);
  }

  const odd = families.get('probe_odd_labels_total');
  t.equal(odd?.help, ODD_HELP, 'HELP escaping round-trips');
  t.same(
    odd?.samples.map((s) => [s.labels.text, s.value]),
    [[ODD_LABEL, 2]],
    'label escaping round-trips',
  );

  // The counter moves with traffic.
  const before = auth?.value ?? 0;
  for (const handle of ['b1', 'b2', 'b3']) await fleet.register(handle, 'alpha');
  const after = parsePrometheus(await (await fetch(`${fleet.url}/metrics`)).text());
  t.equal(
    sampleOf(after, 'fleet_http_requests_total', 'fleet_http_requests_total', {
      method: 'POST',
      route: '/auth',
      status: '200',
    })?.value,
    before + 3,
  );
});

t.test('GET /metrics/json needs a token', async (t) => {
  const fleet = await startFleet(t);
  const anonymous = await fleet.request('GET', '/metrics/json');
  t.equal(anonymous.status, 401);
  t.same(anonymous.body, { error: 'Authentication required', code: 'FLEET_AUTH_REQUIRED' });
  t.equal((await fleet.request('GET', '/metrics/json', { token: 'not-a-token' })).status, 403);

  const agent = await fleet.register('alice', 'alpha');
  const response = await fleet.request('GET', '/metrics/json', { token: agent.token });
  t.equal(response.status, 200);
  t.type(response.body, Array);
  const requests = response.body.find((metric: { name: string }) => metric.name === 'fleet_http_requests_total');
  t.ok(requests, 'the same metrics');
  t.ok(requests.values.some((value: { labels: { route?: string } }) => value.labels.route === '/auth'));
});
