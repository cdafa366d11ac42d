import { CodedError } from '../server/coded-error.ts';

/** Errors of the read side: a stable `code`, an HTTP status, and the details a caller can fix. */
export class QueryError extends CodedError {}

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

/** Data without a tenant column (logs, database changes, raw SQL) cannot be narrowed to a tenant, so it is refused. */
export const tenantScoped = (what: string) =>
  new QueryError(
    'QUERY_ERR_TENANT_SCOPED',
    403,
    `${what} carry no tenant, so a tenant-scoped token cannot read them; use a token for the whole project`,
  );

/** A share link asked for an event property the operator has not made public (SIGHTLINE_SHARE_PROPERTY_KEYS). */
export const shareProperty = (key: string) =>
  new QueryError(
    'QUERY_ERR_SHARE_PROPERTY',
    403,
    `a share link reads the dashboard's dimensions only; the property "${key}" is not in SIGHTLINE_SHARE_PROPERTY_KEYS`,
  );

export const badParams = (problems: ParamProblem[]) =>
  new QueryError(
    'QUERY_ERR_BAD_PARAMS',
    400,
    problems.map((p) => `${p.param} ${p.message}`).join('; '),
    problems,
  );

export const queryTimeout = () =>
  new QueryError('QUERY_ERR_TIMEOUT', 504, 'the query took longer than its time budget; narrow the range');

export const queryUnavailable = () =>
  new QueryError('QUERY_ERR_UNAVAILABLE', 503, 'the store is not available right now');
