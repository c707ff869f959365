import { defineErrors } from '../../../core/index.js';

/**
 * Enforcement's codes, merged into the leases plugin's table with mergeErrors. None yet: a bad
 * query is the kernel's 400 naming the field, and a denied edit is the hook's deny, not an HTTP error.
 */
export const enforceErrors = defineErrors({});
