import { CodedError, errorCatalogue } from '../contract/coded-error.ts';
import type { FieldProblem } from '../contract/field-problem.ts';

/** Errors the collector answers with: a stable `code`, an HTTP status, and details a client can act on. */
export class CollectError extends CodedError {}

/** Every answer the collector refuses with; the protocols' routes build their errors from here. */
export const collectErrors = errorCatalogue(CollectError, {
  malformedJson: {
    code: 'COLLECT_ERR_MALFORMED_JSON',
    status: 400,
    text: (message: string, position: number | undefined) => ({
      message: `the body is not valid JSON: ${message}`,
      details: { position },
    }),
  },
  invalidEvents: {
    code: 'COLLECT_ERR_INVALID_EVENT',
    status: 400,
    text: (problems: FieldProblem[], total: number) => ({
      message: `${new Set(problems.map((p) => p.index ?? 0)).size} of ${total} event(s) failed validation; none were accepted`,
      details: problems,
    }),
  },
  /** A body whose shape the protocol does not take (an array where one event goes, no batch array). */
  badShape: {
    code: 'COLLECT_ERR_INVALID_EVENT',
    status: 400,
    text: (message: string, problems?: Array<{ field: string; message: string }>) =>
      problems ? { message, details: problems } : message,
  },
  tooDeep: {
    code: 'COLLECT_ERR_TOO_DEEP',
    status: 400,
    text: (limit: number, position: number, where?: { field?: string; index?: number }) => ({
      message: `the JSON nests deeper than ${limit} levels${where?.field ? ` in ${where.field}` : ''}; flatten it`,
      details: { limit, position, ...where },
    }),
  },
  notUtf8: {
    code: 'COLLECT_ERR_NOT_UTF8',
    status: 400,
    text: () => 'the body is not valid UTF-8 (JSON must be UTF-8)',
  },
  emptyBatch: { code: 'COLLECT_ERR_EMPTY_BATCH', status: 400, text: () => 'the batch holds no events' },
  badLogFormat: {
    code: 'COLLECT_ERR_BAD_FORMAT',
    status: 400,
    text: (formats: readonly string[], given: unknown) => ({
      message: `format must be one of ${formats.join(', ')}`,
      details: { format: given },
    }),
  },
  invalidLogs: {
    code: 'COLLECT_ERR_INVALID_LOGS',
    status: 400,
    text: (rejected: Array<{ line: number; reason: string }>) => ({
      message: 'no usable log line in the body',
      details: rejected,
    }),
  },
  projectRequired: {
    code: 'COLLECT_ERR_PROJECT_REQUIRED',
    status: 401,
    text: () => 'name the project with the X-App header (or ?app=)',
  },
  unknownProject: {
    code: 'COLLECT_ERR_UNKNOWN_PROJECT',
    status: 401,
    text: (name: string) =>
      `project "${name}" is not a site (add it under Settings → Sites, or in SIGHTLINE_PROJECTS)`,
  },
  keyRequired: {
    code: 'COLLECT_ERR_KEY_REQUIRED',
    status: 401,
    text: (name: string) => `project "${name}" needs its write key in X-Project-Key (or ?k=)`,
  },
  keyMissing: {
    code: 'COLLECT_ERR_KEY_REQUIRED',
    status: 401,
    text: () => 'send the project key in X-Project-Key (or ?k=)',
  },
  projectMismatch: {
    code: 'COLLECT_ERR_PROJECT_MISMATCH',
    status: 403,
    text: (keyProject: string, bodyProject: string) =>
      `the key belongs to project "${keyProject}" but the event names "${bodyProject}"`,
  },
  siteNotListed: {
    code: 'COLLECT_ERR_SITE_NOT_LISTED',
    status: 403,
    text: (project: string) =>
      `project "${project}" has a write key, which this protocol cannot send; list the domain among the site's domains (or in SIGHTLINE_SITE_PROJECTS) to accept it`,
  },
  originNotAllowed: {
    code: 'COLLECT_ERR_ORIGIN_NOT_ALLOWED',
    status: 403,
    text: (project: string, origin: string) =>
      `the origin "${origin.slice(0, 200)}" is not among the allowed origins of site "${project}"`,
  },
  wrongKey: {
    code: 'COLLECT_ERR_WRONG_KEY',
    status: 403,
    text: () => 'the write key does not match the project',
  },
  bodyTooLarge: {
    code: 'COLLECT_ERR_BODY_TOO_LARGE',
    status: 413,
    text: (limit: number) => ({ message: `the body is larger than ${limit} bytes`, details: { limit } }),
  },
  /** Segment's own limits, per request or per message of a batch. */
  segmentTooLarge: {
    code: 'COLLECT_ERR_BODY_TOO_LARGE',
    status: 413,
    text: (what: string, limit: number) => ({
      message: `${what} is larger than Segment's ${limit / 1024} KB limit`,
      details: { limit },
    }),
  },
  unsupportedMediaType: {
    code: 'COLLECT_ERR_MEDIA_TYPE',
    status: 415,
    text: (type: string | undefined) =>
      `content type "${type ?? ''}" is not accepted; send application/json or text/plain`,
  },
  rateLimited: {
    code: 'COLLECT_ERR_RATE_LIMITED',
    status: 429,
    text: (retryAfterSeconds: number) => ({
      message: 'too many requests from this address; slow down',
      headers: { 'retry-after': String(retryAfterSeconds) },
    }),
  },
  logUnavailable: {
    code: 'COLLECT_ERR_LOG_UNAVAILABLE',
    status: 503,
    text: () => ({
      message: 'events cannot be stored durably right now; nothing was accepted, retry later',
      headers: { 'retry-after': '5' },
    }),
  },
});

export const {
  malformedJson,
  invalidEvents,
  badShape,
  tooDeep,
  notUtf8,
  emptyBatch,
  badLogFormat,
  invalidLogs,
  projectRequired,
  unknownProject,
  keyRequired,
  keyMissing,
  projectMismatch,
  siteNotListed,
  originNotAllowed,
  wrongKey,
  bodyTooLarge,
  segmentTooLarge,
  unsupportedMediaType,
  rateLimited,
  logUnavailable,
} = collectErrors;
