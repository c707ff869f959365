/**
 * The seed's 12 built-in task templates (names, categories, required context as the seed had them;
 * the prompts are ours). Built-ins are the same for every team; a team adds its own beside them.
 */
export const TEMPLATE_CATEGORIES = [
  'documentation',
  'testing',
  'security',
  'maintenance',
  'review',
  'conversion',
] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

export const CONTEXT_FIELDS = ['repository', 'branch', 'prNumber', 'issueNumber', 'files', 'labels'] as const;
export type ContextField = (typeof CONTEXT_FIELDS)[number];

export interface TaskTemplate {
  id: string;
  name: string;
  description: string;
  category: TemplateCategory;
  /** The role the spawned worker is given. */
  role: string;
  estimatedMinutes: number;
  outputFormat: 'pr' | 'commit' | 'report' | 'issue';
  /** Context fields an execution must give (`repository` always is). */
  requiredContext: ContextField[];
  prompt: string;
  steps?: string[];
  notifyOn?: ('started' | 'completed' | 'failed')[];
  /** false for a team's own templates. */
  builtIn: boolean;
}

const t = (template: Omit<TaskTemplate, 'builtIn'>): TaskTemplate => ({ ...template, builtIn: true });

export const BUILT_IN_TEMPLATES: readonly TaskTemplate[] = [
  t({
    id: 'update-documentation',
    name: 'Update documentation',
    description: 'Bring README and docs in line with the code as it is now',
    category: 'documentation',
    role: 'worker',
    estimatedMinutes: 20,
    outputFormat: 'pr',
    requiredContext: ['repository'],
    prompt:
      'Read the repository’s README and docs, then the code they describe. Fix every statement that no longer ' +
      'holds (commands, options, file names, examples), add what is missing for features that exist, and remove ' +
      'what describes removed features. Run each documented command you can to check it. Open a pull request ' +
      'that lists what changed and why.',
  }),
  t({
    id: 'generate-api-docs',
    name: 'Generate API documentation',
    description: 'Write reference documentation for the public API from the source',
    category: 'documentation',
    role: 'worker',
    estimatedMinutes: 30,
    outputFormat: 'pr',
    requiredContext: ['repository'],
    prompt:
      'Find the public API (exported functions, classes, HTTP routes, CLI commands). For each, document its ' +
      'purpose, parameters, return value or response, errors and one example, taken from the code and tests. ' +
      'Put the reference where the project keeps docs and open a pull request.',
  }),
  t({
    id: 'generate-tests',
    name: 'Generate tests',
    description: 'Add tests for untested behaviour',
    category: 'testing',
    role: 'worker',
    estimatedMinutes: 40,
    outputFormat: 'pr',
    requiredContext: ['repository'],
    prompt:
      'Find behaviour the test suite does not cover (run the coverage tool if the project has one). Write tests ' +
      'in the project’s framework and style that exercise it, including error paths. Every new test must pass, ' +
      'and must fail when the behaviour it covers is broken. Open a pull request.',
  }),
  t({
    id: 'generate-pr-tests',
    name: 'Generate tests for a pull request',
    description: 'Add tests for the changes of one pull request',
    category: 'testing',
    role: 'worker',
    estimatedMinutes: 30,
    outputFormat: 'commit',
    requiredContext: ['repository', 'prNumber', 'files'],
    prompt:
      'Read the pull request’s diff and the changed files listed in the context. Write tests for the new or ' +
      'changed behaviour in the project’s framework and style, run them, and commit them to the pull request’s ' +
      'branch. Report which behaviours are now covered.',
  }),
  t({
    id: 'security-scan',
    name: 'Security scan',
    description: 'Look for vulnerabilities in the code and its dependencies',
    category: 'security',
    role: 'worker',
    estimatedMinutes: 30,
    outputFormat: 'report',
    requiredContext: ['repository'],
    prompt:
      'Audit the repository for security problems: injection (SQL, shell, path), missing authorization checks, ' +
      'secrets in the code or history, unsafe deserialization, SSRF, and known-vulnerable dependencies (run the ' +
      'package manager’s audit). Report each finding with file, line, severity and a suggested fix; change nothing.',
  }),
  t({
    id: 'urgent-security-fix',
    name: 'Urgent security fix',
    description: 'Fix a critical or high severity vulnerability',
    category: 'security',
    role: 'worker',
    estimatedMinutes: 45,
    outputFormat: 'pr',
    requiredContext: ['repository'],
    notifyOn: ['started', 'completed', 'failed'],
    prompt:
      'A critical or high severity vulnerability was reported (see the context). Reproduce it with a test, fix ' +
      'it with the smallest change that removes the cause, upgrade the affected dependency if that is the cause, ' +
      'run the whole test suite, and open a pull request that explains the issue and the fix.',
  }),
  t({
    id: 'auto-fix-lint-errors',
    name: 'Fix lint errors',
    description: 'Make the linter pass without disabling rules',
    category: 'maintenance',
    role: 'worker',
    estimatedMinutes: 15,
    outputFormat: 'commit',
    requiredContext: ['repository'],
    prompt:
      'Run the project’s linter. Fix every error by changing the code, not by disabling rules or adding ignore ' +
      'comments. Run the tests to check nothing broke, and commit.',
  }),
  t({
    id: 'update-dependencies',
    name: 'Update dependencies',
    description: 'Upgrade outdated dependencies one at a time, keeping the tests green',
    category: 'maintenance',
    role: 'worker',
    estimatedMinutes: 40,
    outputFormat: 'pr',
    requiredContext: ['repository'],
    prompt:
      'List outdated dependencies. Upgrade them one at a time (patch and minor first, majors only with their ' +
      'migration notes read), running the build and the tests after each; keep an upgrade only when both pass. ' +
      'Open a pull request listing what was upgraded and what was left and why.',
  }),
  t({
    id: 'optimize-imports',
    name: 'Optimize imports',
    description: 'Remove unused imports and sort them as the project does',
    category: 'maintenance',
    role: 'worker',
    estimatedMinutes: 10,
    outputFormat: 'commit',
    requiredContext: ['repository'],
    prompt:
      'Remove unused imports and order the rest as the project’s formatter or linter expects. Change no ' +
      'behaviour. Run the build and the tests, then commit.',
  }),
  t({
    id: 'code-review',
    name: 'Code review',
    description: 'Review a pull request',
    category: 'review',
    role: 'worker',
    estimatedMinutes: 20,
    outputFormat: 'report',
    requiredContext: ['repository', 'prNumber'],
    prompt:
      'Review the pull request named in the context: correctness, error handling, security, tests, and whether ' +
      'it does what its description says. Report findings ordered by severity, each with file, line and a ' +
      'concrete suggestion. Do not push changes.',
  }),
  t({
    id: 'js-to-typescript',
    name: 'JavaScript to TypeScript',
    description: 'Convert JavaScript files to TypeScript with real types',
    category: 'conversion',
    role: 'worker',
    estimatedMinutes: 60,
    outputFormat: 'pr',
    requiredContext: ['repository'],
    prompt:
      'Convert the JavaScript files (those listed in the context, or the whole project) to TypeScript with ' +
      'accurate types (no `any` where a type is knowable), keeping behaviour the same. Set up the compiler if ' +
      'the project has none. The type check and the tests must pass. Open a pull request.',
  }),
  t({
    id: 'class-to-hooks',
    name: 'Class components to hooks',
    description: 'Convert React class components to function components with hooks',
    category: 'conversion',
    role: 'worker',
    estimatedMinutes: 45,
    outputFormat: 'pr',
    requiredContext: ['repository'],
    prompt:
      'Convert React class components (those listed in the context, or all) to function components with ' +
      'hooks: state to useState/useReducer, lifecycle methods to useEffect with correct dependencies, refs to ' +
      'useRef. Keep props and behaviour the same; the tests must pass. Open a pull request.',
  }),
];

export const BUILT_IN_IDS = new Set(BUILT_IN_TEMPLATES.map((template) => template.id));
