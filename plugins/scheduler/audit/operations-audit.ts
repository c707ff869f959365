import * as v from 'valibot';
import { f, operationsFor } from '../../../core/index.js';
import type { AuditLoop } from './audit-loop.js';

/** What these operations need of the scheduler's api (SchedulerApi has it). */
export interface AuditApiPart {
  audit: AuditLoop;
}

const op = operationsFor<AuditApiPart>();
const runId = f.uuid('audit run');

export const auditStatus = op({
  name: 'auditStatus',
  summary: 'The team’s audit: running or not, its latest run, the checks configured',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/audit/status' },
  tools: [{ name: 'audit_status' }],
  run: ({ caller, api }) => api.audit.status(caller.teamName),
});

export const auditOutput = op({
  name: 'auditOutput',
  summary: 'Output lines of the latest audit run (or runId) from absolute line `since` (numbers never shift)',
  access: 'agent',
  input: v.object({
    since: v.optional(f.int(0)),
    limit: v.optional(f.int(1, 1000)),
    runId: v.optional(runId),
  }),
  http: { method: 'GET', path: '/audit/output' },
  tools: [{ name: 'audit_output', rename: { run_id: 'runId' } }],
  run: ({ input, caller, api }) =>
    api.audit.output(caller.teamName, { since: input.since ?? 0, limit: input.limit ?? 100, runId: input.runId }),
});

export const auditStart = op({
  name: 'auditStart',
  summary:
    'Start the audit loop: run the checks, open a task per failing check, wait for them, run again until all ' +
    'pass or maxIterations; dryRun says what would run',
  access: 'lead',
  // Strict like the seed's: the kernel refuses unknown body keys of every operation (400 naming it).
  input: v.object({
    dryRun: v.optional(f.flag),
    maxIterations: v.optional(f.int(1, 100)),
  }),
  http: { method: 'POST', path: '/audit/start' },
  tools: [{ name: 'audit_start', rename: { dry_run: 'dryRun', max_iterations: 'maxIterations' } }],
  run: ({ input, caller, api }) =>
    api.audit.start(caller.teamName, {
      dryRun: input.dryRun,
      maxIterations: input.maxIterations,
      actor: caller.handle,
    }),
});

export const auditStop = op({
  name: 'auditStop',
  summary: 'Stop the team’s audit run (its check’s process group: SIGTERM, then SIGKILL)',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/audit/stop' },
  tools: [{ name: 'audit_stop' }],
  run: ({ caller, api }) => api.audit.stop(caller.teamName, caller.handle),
});

export const auditQuick = op({
  name: 'auditQuick',
  summary: 'One round of the checks (a task per failing check), no waiting',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/audit/quick' },
  tools: [{ name: 'audit_quick' }],
  run: ({ caller, api }) => api.audit.start(caller.teamName, { quick: true, actor: caller.handle }),
});

export const auditRuns = op({
  name: 'auditRuns',
  summary: 'The team’s audit runs, newest first',
  access: 'agent',
  input: v.object({ limit: v.optional(f.int(1, 100)) }),
  http: { method: 'GET', path: '/audit/runs' },
  run: ({ input, caller, api }) => api.audit.runs(caller.teamName, input.limit ?? 20),
});

export const auditRun = op({
  name: 'auditRun',
  summary: 'One audit run with each check’s result per iteration and the tasks it opened',
  access: 'agent',
  input: v.object({ id: runId }),
  http: { method: 'GET', path: '/audit/runs/:id' },
  run: ({ input, caller, api }) => api.audit.run(caller.teamName, input.id),
});

export const auditOperations = [auditStatus, auditOutput, auditStart, auditStop, auditQuick, auditRuns, auditRun];
