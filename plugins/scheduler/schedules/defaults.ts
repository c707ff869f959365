import type { ScheduleInput } from './schedule-service.js';

/**
 * The seed's five default schedules, with template names that exist (the seed's `fix-lint-errors`,
 * `security-audit`, `sync-api-docs`... named no template and fell back to generic prompts), and
 * loaded **disabled**: an hourly schedule that spawns a worker is a standing cost a lead turns on.
 */
export const DEFAULT_SCHEDULES: readonly ScheduleInput[] = [
  {
    name: 'nightly-maintenance',
    cron: '0 2 * * *',
    tasks: ['update-dependencies', 'auto-fix-lint-errors', 'optimize-imports'],
    enabled: false,
  },
  { name: 'weekly-security-audit', cron: '0 9 * * 1', tasks: ['security-scan'], enabled: false },
  {
    name: 'daily-documentation-sync',
    cron: '0 6 * * *',
    tasks: ['update-documentation', 'generate-api-docs'],
    enabled: false,
  },
  { name: 'hourly-health-check', cron: '0 * * * *', action: { kind: 'audit', quick: true }, enabled: false },
  { name: 'weekly-coverage-report', cron: '0 10 * * 5', tasks: ['generate-tests'], enabled: false },
];
