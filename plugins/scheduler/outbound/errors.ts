import { defineErrors } from '../../../core/index.js';

/** Outbound codes (S1 merges them into the plugin's table). */
export const outboundErrors = defineErrors({
  SCHEDULER_OUTBOUND_REFUSED: [400, '{field}: {reason}'],
});
