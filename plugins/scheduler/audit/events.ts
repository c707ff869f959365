import { defineEvents } from '../../../core/index.js';

export interface AuditLine {
  /** Its absolute number in the run (from 0): `since` pages by it, and it never shifts. */
  n: number;
  stream: 'stdout' | 'stderr' | 'audit';
  text: string;
}

declare module '../../../core/index.js' {
  interface FleetEventMap {
    'audit:output': { runId: string; lines: AuditLine[] };
    'audit:complete': {
      runId: string;
      mode: 'loop' | 'quick';
      status: string;
      exitCode: number | null;
      iterations: number;
      failing: string[];
    };
  }
}

/** The seed's names (`audit:output`, `audit:complete`), on the team's `audit` topic. */
export const auditEvents = defineEvents({
  'audit:output': { topic: 'audit', summary: 'Lines a check wrote (and the loop’s own), numbered within the run' },
  'audit:complete': { topic: 'audit', summary: 'An audit run ended: passed, failed, stopped or interrupted' },
});
