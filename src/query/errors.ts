import { CodedError, errorCatalogue } from '../contract/coded-error.ts';

/** Errors of the read side: a stable `code`, an HTTP status, and the details a caller can fix. */
export class QueryError extends CodedError {}

export interface ParamProblem {
  param: string;
  message: string;
}

/** Every answer the read API (stats, reads, explore, shares, logins, sites, goals) refuses with. */
export const queryErrors = errorCatalogue(QueryError, {
  unauthenticated: {
    code: 'QUERY_ERR_UNAUTHENTICATED',
    status: 401,
    text: (why: string) => `${why}; send "Authorization: Bearer <admin token or JWT>"`,
  },
  forbidden: { code: 'QUERY_ERR_FORBIDDEN', status: 403, text: (why: string) => why },
  /** Data without a tenant column (logs, database changes, raw SQL) cannot be narrowed to a tenant, so it is refused. */
  tenantScoped: {
    code: 'QUERY_ERR_TENANT_SCOPED',
    status: 403,
    text: (what: string) =>
      `${what} carry no tenant, so a tenant-scoped token cannot read them; use a token for the whole project`,
  },
  /** A share link asked for an event property the operator has not made public (SIGHTLINE_SHARE_PROPERTY_KEYS). */
  shareProperty: {
    code: 'QUERY_ERR_SHARE_PROPERTY',
    status: 403,
    text: (key: string) =>
      `a share link reads the dashboard's dimensions only; the property "${key}" is not in SIGHTLINE_SHARE_PROPERTY_KEYS`,
  },
  badParams: {
    code: 'QUERY_ERR_BAD_PARAMS',
    status: 400,
    text: (problems: ParamProblem[]) => ({
      message: problems.map((p) => `${p.param} ${p.message}`).join('; '),
      details: problems,
    }),
  },
  /** `what`: the whole sentence, e.g. `no site "shop"`. */
  notFound: { code: 'QUERY_ERR_NOT_FOUND', status: 404, text: (what: string) => what },
  sqlRefused: {
    code: 'QUERY_ERR_SQL_REFUSED',
    status: 400,
    text: (why: string, reason: string) => ({ message: `sql: ${why}`, details: { reason } }),
  },
  /** The database's own message, which is what an SQL author needs (syntax, unknown column, readonly). */
  sqlFailed: { code: 'QUERY_ERR_SQL', status: 400, text: (message: string) => message },
  tooManyLogins: {
    code: 'QUERY_ERR_TOO_MANY_LOGINS',
    status: 429,
    text: () => 'too many login attempts; wait a minute',
  },
  wrongPassword: {
    code: 'QUERY_ERR_WRONG_PASSWORD',
    status: 403,
    text: () => 'the current password is not right',
  },
  invitationExpired: {
    code: 'QUERY_ERR_INVITATION_EXPIRED',
    status: 410,
    text: (expired: string) => `the invitation expired on ${expired}; ask an admin to invite you again`,
  },
  queryTimeout: {
    code: 'QUERY_ERR_TIMEOUT',
    status: 504,
    text: () => 'the query took longer than its time budget; narrow the range',
  },
  queryUnavailable: {
    code: 'QUERY_ERR_UNAVAILABLE',
    status: 503,
    text: () => 'the store is not available right now',
  },
});

export const {
  unauthenticated,
  forbidden,
  tenantScoped,
  shareProperty,
  badParams,
  notFound,
  sqlRefused,
  sqlFailed,
  tooManyLogins,
  wrongPassword,
  invitationExpired,
  queryTimeout,
  queryUnavailable,
} = queryErrors;
