/**
 * An error that becomes a JSON response: `{ error: message, ...details }` with `status`.
 * Throw it from a handler or a tool; anything else thrown becomes a bare 500 (details go to the log only).
 */
export class HttpError extends Error {
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(status: number, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.details = details;
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new HttpError(400, message, details);
export const unauthorized = (message = 'Authentication required') => new HttpError(401, message);
export const forbidden = (message: string, details?: Record<string, unknown>) => new HttpError(403, message, details);
export const notFound = (message: string, details?: Record<string, unknown>) => new HttpError(404, message, details);
export const conflict = (message: string, details?: Record<string, unknown>) => new HttpError(409, message, details);

/** The seed's permission error: 403 `{error:'Insufficient permissions', required, current}`. */
export const insufficientPermissions = (required: string | readonly string[], current: string) =>
  new HttpError(403, 'Insufficient permissions', { required, current });
