import { defineEvents } from '../../../core/index.js';

declare module '../../../core/index.js' {
  interface FleetEventMap {
    'bidding:bid': {
      swarmId: string;
      bid: { id: string; taskId: string; bidder: string; amount: number; estimatedDuration: number | null };
    };
    'bidding:accepted': { swarmId: string; bid: { id: string; taskId: string; winner: string; price: number | null } };
    'bidding:auction_complete': {
      swarmId: string;
      taskId: string;
      winner: string;
      bidId: string;
      price: number;
      auctionType: string;
    };
  }
}

export const bidEvents = defineEvents({
  'bidding:bid': { topic: 'bidding', summary: 'A swarm member bid on a task (or changed its pending bid)' },
  'bidding:accepted': {
    topic: 'bidding',
    summary: 'A bid won (a lead accepted it or an auction chose it): its bidder owns the task',
  },
  'bidding:auction_complete': {
    topic: 'bidding',
    summary: 'An auction chose its winner, assigned it the task and charged the price',
  },
});
