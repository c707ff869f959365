import { defineEvents } from '../../core/index.js';
import { enforceEvents } from './enforce/index.js';
import type { LeaseView } from './leases/lease-store.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    'lease:acquired': { lease: LeaseView };
    /** `by`: who released it (a handle), or why (`dismissed`, `task`). */
    'lease:released': { lease: LeaseView; by: string };
    'lease:expired': { lease: LeaseView };
    /** A refused acquisition or task grant: who asked, what, and the leases in the way (own team's only). */
    'lease:conflict': { repo: string; paths: string[]; requester: string; taskId: string | null; leaseIds: string[] };
  }
}

export const leaseEvents = defineEvents({
  'lease:acquired': { topic: 'leases', summary: 'A lease was granted (to an agent, or a task lease to its owner)' },
  'lease:released': {
    topic: 'leases',
    summary: 'A lease was released by its holder or a lead, its worker was dismissed, or its task lost its owner',
  },
  'lease:expired': { topic: 'leases', summary: 'A lease reached its expiry without renewal and no longer counts' },
  'lease:conflict': { topic: 'leases', summary: 'An acquisition or a task grant was refused by overlapping leases' },
});

/** Every event type of the plugin: lease:* and enforcement's. */
export const allLeaseEvents = defineEvents({ ...leaseEvents, ...enforceEvents });
