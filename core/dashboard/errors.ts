import { defineErrors } from '../http/api-error.js';

/** The dashboard's own refusals (the Host and Origin checks are the kernel's: FLEET_FORBIDDEN_*). */
export const dashboardErrors = defineErrors({
  // One message for unknown, used and expired codes: a guesser learns nothing from the answer.
  DASHBOARD_CODE_INVALID: [401, 'code: unknown, already used or expired; run `fleet open` again'],
  DASHBOARD_FILE_NOT_FOUND: [404, 'Not found: {path}'],
});
