import { defineEvents } from '../../../core/index.js';

declare module '../../../core/index.js' {
  interface FleetEventMap {
    'consensus:proposal': {
      swarmId: string;
      proposal: { id: string; title: string; deadline: string | null; proposerHandle: string };
    };
    'consensus:vote': { swarmId: string; proposalId: string; voter: string; changed: boolean };
    'consensus:result': {
      swarmId: string;
      proposalId: string;
      status: string;
      winner: string | null;
      quorumMet: boolean;
      closedBy: string;
    };
  }
}

export const proposalEvents = defineEvents({
  'consensus:proposal': { topic: 'consensus', summary: 'A proposal was opened in a swarm' },
  'consensus:vote': { topic: 'consensus', summary: 'A member voted (or changed its vote) on a proposal' },
  'consensus:result': {
    topic: 'consensus',
    summary: 'A proposal closed (by a lead, its deadline or its threshold) or was cancelled, with its winner',
  },
});
