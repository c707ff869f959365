import { defineEvents } from '../../core/index.js';
import { proposalEvents } from './proposals/events.js';

/** Every event type of the plugin: the parts' declarations. */
export const governanceEvents = defineEvents({ ...proposalEvents });
