import type { RuleAction, WebhookRule } from './options.js';

/** What rules look at, read once from a delivery's payload. */
export interface DeliveryFacts {
  event: string;
  action: string | null;
  repository: string | null;
  /** push: the pushed branch; pull_request: its head branch; check_run: its head branch. */
  branch: string | null;
  defaultBranch: string | null;
  labels: string[];
  checkName: string | null;
  conclusion: string | null;
  severity: string | null;
  files: string[];
  prNumber: number | null;
  issueNumber: number | null;
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const labelNames = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((label) => str(obj(label).name)).filter((name): name is string => !!name) : [];

/** The facts of a delivery; missing or odd fields are null (a payload is the sender's, not trusted to be whole). */
export function factsOf(event: string, payload: unknown): DeliveryFacts {
  const body = obj(payload);
  const repo = obj(body.repository);
  const pr = obj(body.pull_request);
  const issue = obj(body.issue);
  const check = obj(body.check_run);
  const alert = obj(body.alert);
  const advisory = obj(body.security_advisory);
  const ref = str(body.ref);
  const commits = Array.isArray(body.commits) ? body.commits.map(obj) : [];
  const files: string[] = commits.flatMap((commit) =>
    [commit.added, commit.modified].flatMap((list): string[] =>
      Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : [],
    ),
  );
  const added = str(obj(body.label).name);
  const labels = [...labelNames(issue.labels), ...labelNames(pr.labels), ...(added ? [added] : [])];
  const severity =
    str(obj(alert.security_advisory).severity) ??
    str(obj(alert.security_vulnerability).severity) ??
    str(alert.severity) ??
    str(advisory.severity);
  return {
    event,
    action: str(body.action),
    repository: str(repo.full_name),
    branch:
      event === 'push' && ref?.startsWith('refs/heads/')
        ? ref.slice('refs/heads/'.length)
        : (str(obj(pr.head).ref) ?? str(check.head_branch)),
    defaultBranch: str(repo.default_branch),
    labels: [...new Set(labels)],
    checkName: str(check.name),
    conclusion: str(check.conclusion),
    severity:
      severity?.toLowerCase() ?? (event === 'dependabot_alert' || event === 'security_advisory' ? 'unknown' : null),
    files: [...new Set(files)],
    prNumber: num(pr.number) ?? (event === 'pull_request' ? num(body.number) : null),
    issueNumber: num(issue.number),
  };
}

const anyOf = (wanted: readonly string[] | undefined, value: string | null) =>
  wanted === undefined || (value !== null && wanted.includes(value));

/** Whether every condition the rule names holds for these facts. */
export function ruleMatches(rule: WebhookRule, facts: DeliveryFacts): boolean {
  if (rule.event !== facts.event) return false;
  if (!anyOf(rule.action, facts.action) || !anyOf(rule.branch, facts.branch)) return false;
  if (!anyOf(rule.conclusion, facts.conclusion) || !anyOf(rule.severity, facts.severity)) return false;
  if (rule.defaultBranch !== undefined) {
    const onDefault = facts.branch !== null && facts.branch === facts.defaultBranch;
    if (onDefault !== rule.defaultBranch) return false;
  }
  if (rule.labels && !rule.labels.some((label) => facts.labels.includes(label))) return false;
  const check = facts.checkName?.toLowerCase() ?? '';
  if (rule.checkName && !rule.checkName.some((part) => check.includes(part.toLowerCase()))) return false;
  if (rule.files && !facts.files.some((file) => rule.files!.some((end) => file.endsWith(end)))) return false;
  if (rule.paths && !facts.files.some((file) => rule.paths!.some((part) => file.includes(part)))) return false;
  return true;
}

/** The actions of every matching rule, in rule order. */
export function actionsFor(rules: readonly WebhookRule[], facts: DeliveryFacts): RuleAction[] {
  return rules.filter((rule) => ruleMatches(rule, facts)).flatMap((rule) => rule.actions);
}

const templates = (...names: string[]): RuleAction[] => names.map((template) => ({ kind: 'template', template }));

/** The seed's mapping (seed-semantics §5.2) as rules: each names task templates. */
export const SEED_RULES: readonly WebhookRule[] = [
  { event: 'push', defaultBranch: true, actions: templates('update-documentation', 'run-linter-check') },
  { event: 'push', defaultBranch: true, files: ['.ts', '.js'], actions: templates('analyze-code-quality') },
  { event: 'push', defaultBranch: true, paths: ['test', 'spec'], actions: templates('validate-test-coverage') },
  {
    event: 'pull_request',
    action: ['opened', 'synchronize'],
    actions: templates('generate-pr-tests', 'security-scan', 'code-review', 'check-dependencies'),
  },
  { event: 'pull_request', action: ['labeled'], labels: ['needs-docs'], actions: templates('generate-documentation') },
  { event: 'pull_request', action: ['labeled'], labels: ['needs-tests'], actions: templates('generate-tests') },
  { event: 'pull_request', action: ['labeled'], labels: ['auto-fix'], actions: templates('auto-fix-issues') },
  { event: 'pull_request', action: ['closed'], actions: templates('cleanup-pr-resources') },
  ...(
    [
      [['bug'], 'investigate-bug'],
      [['enhancement', 'feature'], 'analyze-feature-request'],
      [['documentation'], 'update-documentation'],
      [['good-first-issue'], 'generate-implementation-guide'],
    ] as const
  ).map(([labels, template]) => ({
    event: 'issues',
    action: ['opened', 'labeled'],
    labels: [...labels],
    actions: templates(template),
  })),
  ...(
    [
      [['lint'], 'auto-fix-lint-errors'],
      [['type', 'typescript'], 'fix-type-errors'],
      [['test'], 'investigate-test-failure'],
      [['build'], 'investigate-build-failure'],
    ] as const
  ).map(([checkName, template]) => ({
    event: 'check_run',
    action: ['completed'],
    conclusion: ['failure'],
    checkName: [...checkName],
    actions: templates(template),
  })),
  ...['dependabot_alert', 'security_advisory'].flatMap((event): WebhookRule[] => [
    { event, action: ['created', 'reopened'], actions: templates('security-vulnerability-scan') },
    {
      event,
      action: ['created', 'reopened'],
      severity: ['critical', 'high'],
      actions: templates('urgent-security-fix'),
    },
    {
      event,
      action: ['created', 'reopened'],
      severity: ['low', 'medium', 'moderate', 'unknown'],
      actions: templates('scheduled-security-fix'),
    },
  ]),
];

/** GitHub events GET /webhooks/status lists: the seed's seven and issue_comment. */
export const SUPPORTED_EVENTS = [
  'push',
  'pull_request',
  'issues',
  'issue_comment',
  'check_run',
  'dependabot_alert',
  'security_advisory',
  'ping',
] as const;

/** The seed's template context, from the facts: what a template's prompt is told. */
export function templateContext(facts: DeliveryFacts): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  if (facts.repository) context.repository = facts.repository;
  if (facts.branch) context.branch = facts.branch;
  if (facts.prNumber !== null) context.prNumber = facts.prNumber;
  if (facts.issueNumber !== null) context.issueNumber = facts.issueNumber;
  if (facts.files.length > 0) context.files = facts.files.slice(0, 200);
  if (facts.labels.length > 0) context.labels = facts.labels;
  return context;
}
