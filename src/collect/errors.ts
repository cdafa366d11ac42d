import type { FieldProblem } from '../contract/field-problem.ts';

/** Errors the collector answers with: a stable `code`, an HTTP status, and details a client can act on. */
export class CollectError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: unknown;
  readonly headers: Record<string, string>;
  constructor(
    code: string,
    statusCode: number,
    message: string,
    details?: unknown,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
    this.headers = headers;
  }
}

export const malformedJson = (message: string, position: number | undefined) =>
  new CollectError('COLLECT_ERR_MALFORMED_JSON', 400, `the body is not valid JSON: ${message}`, { position });

export const invalidEvents = (problems: FieldProblem[], total: number) =>
  new CollectError(
    'COLLECT_ERR_INVALID_EVENT',
    400,
    `${new Set(problems.map((p) => p.index ?? 0)).size} of ${total} event(s) failed validation; none were accepted`,
    problems,
  );

export const tooDeep = (limit: number, position: number, where?: { field?: string; index?: number }) =>
  new CollectError(
    'COLLECT_ERR_TOO_DEEP',
    400,
    `the JSON nests deeper than ${limit} levels${where?.field ? ` in ${where.field}` : ''}; flatten it`,
    { limit, position, ...where },
  );

export const notUtf8 = () =>
  new CollectError('COLLECT_ERR_NOT_UTF8', 400, 'the body is not valid UTF-8 (JSON must be UTF-8)');

export const emptyBatch = () => new CollectError('COLLECT_ERR_EMPTY_BATCH', 400, 'the batch holds no events');

export const projectRequired = () =>
  new CollectError('COLLECT_ERR_PROJECT_REQUIRED', 401, 'name the project with the X-App header (or ?app=)');

export const unknownProject = (name: string) =>
  new CollectError(
    'COLLECT_ERR_UNKNOWN_PROJECT',
    401,
    `project "${name}" is not a site (add it under Settings → Sites, or in SIGHTLINE_PROJECTS)`,
  );

export const keyRequired = (name: string) =>
  new CollectError(
    'COLLECT_ERR_KEY_REQUIRED',
    401,
    `project "${name}" needs its write key in X-Project-Key (or ?k=)`,
  );

export const keyMissing = () =>
  new CollectError('COLLECT_ERR_KEY_REQUIRED', 401, 'send the project key in X-Project-Key (or ?k=)');

export const projectMismatch = (keyProject: string, bodyProject: string) =>
  new CollectError(
    'COLLECT_ERR_PROJECT_MISMATCH',
    403,
    `the key belongs to project "${keyProject}" but the event names "${bodyProject}"`,
  );

export const siteNotListed = (project: string) =>
  new CollectError(
    'COLLECT_ERR_SITE_NOT_LISTED',
    403,
    `project "${project}" has a write key, which this protocol cannot send; list the domain among the site's domains (or in SIGHTLINE_SITE_PROJECTS) to accept it`,
  );

export const originNotAllowed = (project: string, origin: string) =>
  new CollectError(
    'COLLECT_ERR_ORIGIN_NOT_ALLOWED',
    403,
    `the origin "${origin.slice(0, 200)}" is not among the allowed origins of site "${project}"`,
  );

export const wrongKey = () =>
  new CollectError('COLLECT_ERR_WRONG_KEY', 403, 'the write key does not match the project');

export const bodyTooLarge = (limit: number) =>
  new CollectError('COLLECT_ERR_BODY_TOO_LARGE', 413, `the body is larger than ${limit} bytes`, { limit });

export const unsupportedMediaType = (type: string | undefined) =>
  new CollectError(
    'COLLECT_ERR_MEDIA_TYPE',
    415,
    `content type "${type ?? ''}" is not accepted; send application/json or text/plain`,
  );

export const rateLimited = (retryAfterSeconds: number) =>
  new CollectError(
    'COLLECT_ERR_RATE_LIMITED',
    429,
    'too many requests from this address; slow down',
    undefined,
    {
      'retry-after': String(retryAfterSeconds),
    },
  );

export const logUnavailable = () =>
  new CollectError(
    'COLLECT_ERR_LOG_UNAVAILABLE',
    503,
    'events cannot be stored durably right now; nothing was accepted, retry later',
    undefined,
    { 'retry-after': '5' },
  );
