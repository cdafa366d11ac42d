/**
 * An error an HTTP route answers with: a stable `code`, an HTTP status, and details a caller can act on. Each
 * stage names its own subclass (QueryError, AlertError, …) so its handler recognises its own errors.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: unknown;
  constructor(code: string, statusCode: number, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}
