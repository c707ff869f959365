import { defineErrors } from '../../../core/index.js';

/** Outbound codes (merged into the plugin's table in index.ts). */
export const outboundErrors = defineErrors({
  SCHEDULER_OUTBOUND_REFUSED: [400, '{field}: {reason}'],
});
