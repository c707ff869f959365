/**
 * Policy engine benchmark: compilePolicy time, and evaluate throughput and per-call latency
 * (p50/p99) with 100 and 1,000 rules (plus the built-ins) on a realistic mix of calls: Bash lines
 * simple and compound (with substitutions, pipes, here-docs, bash -c), Edit/Write/Read of paths,
 * and mcp__ tools. Best of BENCH_RUNS (default 3) for throughput; latencies from the best run.
 */
import { compilePolicy, type PolicyRule, type ToolCall } from '../../plugins/policy/engine/index.js';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const CALLS = 20_000;

/** Deterministic, so every run judges the same calls against the same rules. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMANDS = [
  'git',
  'npm',
  'npx',
  'node',
  'python3',
  'docker',
  'kubectl',
  'make',
  'cargo',
  'go',
  'terraform',
  'aws',
];
const WORDS = ['deploy', 'publish', 'delete', 'apply', 'push', 'install', 'prune', 'drop', 'reset', 'secret', 'prod'];

const rule = (
  i: number,
  decision: PolicyRule['decision'],
  tool: string,
  pattern: string,
  priority = 5,
): PolicyRule => ({
  id: `core-${i}`,
  name: `core-${i}`,
  decision,
  tool,
  pattern,
  reason: `core rule ${i}`,
  priority,
  enabled: true,
  twoPerson: false,
});

/** The rules that decide the mix below (the rest of a policy is rules that rarely match). */
const CORE: PolicyRule[] = [
  rule(0, 'allow', 'Bash', String.raw`^git (status|diff|add|commit|log|ls-files|push origin fleet/)`),
  rule(1, 'allow', 'Bash', String.raw`^(npm (test|run (build|lint))|npx tsc( [^<>]*)?)$`),
  rule(2, 'allow', 'Bash', String.raw`^(ls|grep|wc|head|tail|sort|cd|for|jq|rm -rf \./[a-z]+)( [^<>]*)?$`),
  rule(3, 'ask', 'Bash', String.raw`^docker compose`),
  rule(4, 'ask', 'Bash', String.raw`^curl`),
  rule(5, 'allow', 'Edit|Write|Read', 'src/**'),
  rule(6, 'allow', 'Read', '**/*.md'),
  rule(7, 'block', 'Write', '/work/wt/docs/**', 9),
  rule(8, 'ask', 'mcp__github__*', String.raw`"repo":"acme/`),
];

/** Rules like a team's: mostly Bash regexes, some path globs for file tools, some mcp rules. */
function makeRules(count: number): PolicyRule[] {
  const random = rng(count);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  return [
    ...CORE,
    ...Array.from({ length: count - CORE.length }, (_, i) => {
      const kind = random();
      const decision: PolicyRule['decision'] = i % 10 < 5 ? 'allow' : i % 10 < 8 ? 'ask' : 'block';
      let tool = 'Bash';
      let pattern: string;
      if (kind < 0.6) pattern = String.raw`^${pick(COMMANDS)} ${pick(WORDS)}${i}\b(\s+--?[a-z-]+)*`;
      else if (kind < 0.75) pattern = String.raw`(?i)\b${pick(WORDS)}[-_]?${pick(WORDS)}${i}\b`;
      else if (kind < 0.9) {
        tool = pick(['Edit|Write', 'Read', 'Edit|Write|MultiEdit']);
        pattern = pick([`**/${pick(WORDS)}${i}/**`, `src/${pick(WORDS)}${i}/**/*.ts`, `/etc/${pick(WORDS)}${i}/**`]);
      } else {
        tool = pick(['mcp__github__*', 'mcp__*', 'WebFetch']);
        pattern = String.raw`"(repo|url)":"[^"]*${pick(WORDS)}${i}`;
      }
      return {
        id: `rule-${i}`,
        name: `rule-${i}`,
        decision,
        tool,
        pattern,
        reason: `rule ${i}`,
        priority: Math.floor(random() * 10),
        enabled: true,
        twoPerson: false,
      };
    }),
  ];
}

const where = { cwd: '/work/wt', worktree: '/work/wt', home: '/home/agent' };

/** A mix close to what agents send: about half Bash, a third file tools, the rest mcp. */
function makeCalls(count: number): ToolCall[] {
  const random = rng(7);
  // Every line differs (a file name, a message, a number), as real traffic does: no cache of a
  // regex engine's states gets to see the same subject twice.
  const bash = (n: number): string[] => [
    'git status',
    'npm test',
    `git diff --stat && git add -A && git commit -m "wip: parser step ${n}"`,
    `ls -la src/module${n}/ | head -20`,
    `grep -rn "TODO(${n})" src --include=*.ts | wc -l`,
    `cd packages/core${n} && npx tsc --noEmit -p . 2>&1 | tail -5`,
    `for f in $(git ls-files "src/m${n}/*.ts"); do wc -l "$f"; done | sort -n | tail`,
    `bash -c 'npm run build && npm run lint -- --max-warnings ${n}'`,
    `cat <<EOF > notes${n}.md\n# Notes ${n}\nrm -rf is not run here\nEOF`,
    `python3 -c "import json,sys; print(json.load(open('package.json'))['version'], ${n})"`,
    `curl -s https://api.example.invalid/v1/status/${n} | jq .state`,
    `docker compose --env-file .env.example up -d svc${n} && docker ps`,
    `git push origin fleet/worker-${n}`,
    `rm -rf ./dist${n} ./coverage && npm run build`,
  ];
  return Array.from({ length: count }, () => {
    const kind = random();
    const n = Math.floor(random() * 1_000_000);
    if (kind < 0.5) {
      const lines = bash(n);
      return { tool: 'Bash', input: { command: lines[Math.floor(random() * lines.length)]! }, ...where };
    }
    if (kind < 0.65)
      return { tool: 'Edit', input: { file_path: `src/parser/p${n}.ts`, old_string: 'a', new_string: 'b' }, ...where };
    if (kind < 0.75)
      return {
        tool: 'Write',
        input: { file_path: `/work/wt/docs/guide${n}.md`, content: `x${n}`.repeat(300) },
        ...where,
      };
    if (kind < 0.85) return { tool: 'Read', input: { file_path: `/work/wt/README${n}.md` }, ...where };
    return {
      tool: 'mcp__github__create_issue',
      input: { repo: 'acme/widgets', title: `Flaky test ${n} in parser`, body: 'It fails one run in ten.' },
      ...where,
    };
  });
}

function measure(ruleCount: number, builtins: boolean): string[] {
  const rules = makeRules(ruleCount);
  const calls = makeCalls(CALLS);
  let compileMs = Infinity;
  let policy = compilePolicy(rules, { builtins });
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    policy = compilePolicy(rules, { builtins });
    compileMs = Math.min(compileMs, performance.now() - started);
  }
  // Warm-up: JIT, and the per-tool rule lists the policy builds on first sight of a tool.
  for (const call of calls.slice(0, 2000)) policy.evaluate(call);
  let best = 0;
  let latencies = new Float64Array(CALLS);
  const decisions = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    const times = new Float64Array(CALLS);
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      const result = policy.evaluate(calls[i]!);
      times[i] = performance.now() - t0;
      if (run === 0) decisions.set(result.decision, (decisions.get(result.decision) ?? 0) + 1);
    }
    const rate = CALLS / ((performance.now() - started) / 1000);
    if (rate > best) {
      best = rate;
      latencies = times;
    }
  }
  latencies.sort();
  const mix = ['block', 'ask', 'allow', 'none'].map(
    (d) => `${d[0]}${Math.round(((decisions.get(d) ?? 0) / CALLS) * 100)}`,
  );
  return [
    `${formatNumber(ruleCount)} rules${builtins ? ' + built-ins' : ''}`,
    formatNumber(compileMs, 1),
    formatNumber(best),
    formatNumber(percentile(latencies, 50) * 1000, 1),
    formatNumber(percentile(latencies, 99) * 1000, 1),
    mix.join(' '),
  ];
}

const rows = [measure(100, false), measure(100, true), measure(1000, false), measure(1000, true)];
process.stdout.write(
  [
    `${formatNumber(CALLS)} calls (about half Bash, a third Edit/Write/Read, the rest mcp), best of ${RUNS}.`,
    formatTable(['policy', 'compile ms', 'calls/s', 'p50 µs', 'p99 µs', 'decisions %'], rows),
    `Node ${process.version}. In process, no I/O: what evaluate costs the server per tool call.`,
  ].join('\n') + '\n',
);
