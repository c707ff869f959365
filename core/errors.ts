/**
 * Errors with a stable code, in the manner of Fastify's FST_ERR_*: callers and tests match the code,
 * people read the message.
 */
export type FleetErrorCode =
  | 'FLEET_ERR_CONFIG_INVALID'
  | 'FLEET_ERR_CONFIG_LOAD'
  | 'FLEET_ERR_PLUGIN_UNKNOWN'
  | 'FLEET_ERR_PLUGIN_INVALID'
  | 'FLEET_ERR_PLUGIN_MISSING_DEPENDENCY'
  | 'FLEET_ERR_PLUGIN_CYCLE'
  | 'FLEET_ERR_PLUGIN_NOT_DEPENDENCY'
  | 'FLEET_ERR_PLUGIN_SETUP'
  | 'FLEET_ERR_MIGRATION'
  | 'FLEET_ERR_DUPLICATE_TOOL'
  | 'FLEET_ERR_DUPLICATE_ROUTE'
  | 'FLEET_ERR_DUPLICATE_EVENT'
  | 'FLEET_ERR_EVENT_NOT_DECLARED'
  | 'FLEET_ERR_TABLE_NOT_OWNED'
  | 'FLEET_ERR_DUPLICATE_TABLE'
  | 'FLEET_ERR_DATA_DIR_LOCKED';

export class FleetError extends Error {
  readonly code: FleetErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: FleetErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'FleetError';
    this.code = code;
    this.details = details;
  }
}

export function isFleetError(error: unknown, code?: FleetErrorCode): error is FleetError {
  return error instanceof FleetError && (code === undefined || error.code === code);
}
