import { defineEvents } from '../../core/index.js';
import { bidEvents } from './bids/index.js';
import { proposalEvents } from './proposals/events.js';

/** Every event type of the plugin: consensus:* (proposals) and bidding:* (bids); payoffs emit none. */
export const governanceEvents = defineEvents({ ...proposalEvents, ...bidEvents });
