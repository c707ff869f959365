import { defineEvents } from '../../../core/index.js';

/** A flag as served by GET /leases/flags and carried by `lease:violation`. */
export interface LeaseFlag {
  id: number;
  handle: string;
  repo: string;
  path: string;
  kind: 'leased' | 'outside';
  leaseId: string | null;
  holder: string | null;
  source: string;
  createdAt: string;
}

declare module '../../../core/index.js' {
  interface FleetEventMap {
    /** A worker's turn changed a path leased to another, or one outside its own leases. */
    'lease:violation': { flag: LeaseFlag };
  }
}

export const enforceEvents = defineEvents({
  'lease:violation': {
    topic: 'leases',
    summary: "A worker's turn changed a path leased to another (leased) or outside its own leases (outside)",
  },
});
