/** Errors of the read side: a stable `code`, an HTTP status, and the details a caller can fix. */
export class QueryError extends Error {
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

export interface ParamProblem {
  param: string;
  message: string;
}

export const unauthenticated = (why: string) =>
  new QueryError(
    'QUERY_ERR_UNAUTHENTICATED',
    401,
    `${why}; send "Authorization: Bearer <admin token or JWT>"`,
  );

export const forbidden = (why: string) => new QueryError('QUERY_ERR_FORBIDDEN', 403, why);

export const badParams = (problems: ParamProblem[]) =>
  new QueryError(
    'QUERY_ERR_BAD_PARAMS',
    400,
    problems.map((p) => `${p.param} ${p.message}`).join('; '),
    problems,
  );
