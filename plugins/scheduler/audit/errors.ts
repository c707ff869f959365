import { defineErrors } from '../../../core/index.js';

/** The audit loop's codes (merged into the plugin's table in index.ts). */
export const auditErrors = defineErrors({
  SCHEDULER_AUDIT_NO_CHECKS: [409, 'No audit checks configured for team {team} (plugins.scheduler.audit.checks)'],
  SCHEDULER_AUDIT_ALREADY_RUNNING: [409, 'Audit loop already running'],
  SCHEDULER_AUDIT_NOT_RUNNING: [400, 'No audit loop is running'],
  SCHEDULER_AUDIT_RUN_NOT_FOUND: [404, 'Audit run not found'],
});
