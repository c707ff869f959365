import { defineConfig } from './core/index.js';

/**
 * The fleet's configuration. Edit it while the fleet runs: plugins turned on start, plugins turned
 * off stop (with whatever depends on them). Environment variables (PORT, DB_PATH, LOG_LEVEL, ...)
 * override what is here; see README.md.
 */
export default defineConfig({
  server: { host: '127.0.0.1', port: 3847 },
  storage: { driver: 'sqlite' },
  dataDir: './.fleet',
  plugins: {
    auth: true,
    metrics: true,
    mail: true,
    tasks: true,
    // Workers run in tmux (`fleet attach` to watch), at most `max` at once (more wait in a queue).
    // The tmux server is claude-fleet-<hash of the data dir> unless tmux.socket names one.
    // Claude Code is the default adapter; add other CLIs under `commands`, e.g.
    // commands: { aider: { argv: ['aider', '--yes'], format: 'text' } }.
    // Claude Code's tools other than the fleet's follow claude.permissionMode: 'default' (the
    // default) refuses what would need a prompt, which a worker shows as needsYou on the board;
    // 'acceptEdits' lets workers edit files; 'bypassPermissions' allows everything (as root only
    // with IS_SANDBOX=1 in the fleet's environment), e.g. claude: { permissionMode: 'acceptEdits' }.
    workers: { max: 5, tmux: { session: 'fleet' }, defaultAdapter: 'claude' },
    // Rules that block, ask (a lead approves in GET /approvals) or allow workers' tool calls, enforced
    // on every Claude Code worker by a hook that fails closed. No rule applies until a lead makes one
    // (POST /policies) or switches on the built-in set (POST /policies/builtin); builtin: true turns
    // it on for every team. While policy runs, workers ignore Claude Code's own settings files (see
    // plugins/policy/README.md). More: policy: { strict: true, approvals: { timeoutSeconds: 600 } }.
    policy: true,
    // Structured "where I am" notes one agent hands to another (POST /checkpoints, checkpoint_create);
    // accepted ones go into the recipient's next first prompt.
    checkpoints: true,
    // Session records and lineage (trim a full context, continue in a fresh one), tokens and cost of
    // every result by worker, task, session, team and model (GET /costs), search over what agents wrote.
    sessions: true,
    // Budgets in usd, tokens or turns per task, worker, team (POST /budgets) or the whole fleet (here), per
    // day, week or in total: a breach pauses the workers it covers and asks the leads (GET /approvals);
    // raising the limit resumes them. E.g. budgets: { budgets: [{ id: 'fleet-day', scope: { kind: 'fleet' },
    // unit: 'usd', limit: 50, period: 'day' }] }. Usage limits park workers and resume them after the reset
    // (plugins.workers.quota) with or without this plugin.
    budgets: true,
    // One searchable memory for the team: documents (POST /knowledge/ingest), agent memory (/memory), code
    // summaries (/tldr), one search across them, mail, tasks and handoffs (knowledge_search), and the matching
    // facts put in each worker's first prompt as reference data. E.g. knowledge: { briefingChars: 1500 }.
    knowledge: true,
    // Cron schedules that fire once per slot (POST /scheduler/schedules: send a prompt, spawn a worker, create
    // a task, run a task template or call a signed webhook), a durable queue with retries and a dead-letter
    // list (/scheduler/queue), signed inbound webhooks (GitHub at POST /webhooks/github: set
    // GITHUB_WEBHOOK_SECRET and webhooks: { team: 'alpha' }), notifications, and the audit loop (checks as
    // argument arrays, e.g. audit: { checks: [{ name: 'types', command: ['npx', 'tsc', '--noEmit'] }] }).
    scheduler: true,
    // Swarms of workers (POST /swarms, spawn with swarmId), a blackboard, beliefs, credits and reputation
    // earned from verified outcomes, and pheromone trails left by what workers read and edit: a worker about
    // to edit a file another live worker just changed is told so.
    swarm: true,
    // Multi-step work as data (POST /workflows: spawn, send, task, command, gate, checkpoint, approval, wait and
    // nested steps in a DAG) whose executions survive a restart, triggers on events and schedules, waves of
    // workers (/orchestrate/waves), one task across repositories (/orchestrate/multi-repo), missions that iterate
    // until their gates pass (/missions) and templates (/templates).
    workflows: true,
    // Proposals with votes weighted by reputation that close by themselves (/consensus), bids and auctions whose
    // winner gets the task and pays in credits (/bids), payoffs paid once on a verified completion (/payoffs).
    governance: true,
    // File leases (POST /leases: exclusive or shared, paths or globs, a TTL renewed while the worker lives, fences)
    // enforced at edit time by the policy hook (Edit, Write and shell writes on another's leased path are denied),
    // checked after every turn and by a pre-commit hook in each worktree; tasks may declare the paths they touch.
    leases: true,
    // A merge queue for workers' branches (/merge-queue): rebased and tested in a throwaway worktree, fair order,
    // conflicts reported with their files, every hunk checked present after the merge; or pull requests through gh.
    // E.g. merges: { test: ['npm', 'test'], target: 'main' }.
    merges: true,
  },
});
