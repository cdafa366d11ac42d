import { CodedError, errorCatalogue } from '../contract/coded-error.ts';

/**
 * Errors of the store. Each API plugin maps them to its own code (src/query/store-failures.ts); the processor
 * tells a refusal of the rows from an outage by the code (src/process/isolate.ts).
 */
export class StoreError extends CodedError {}

const why = (cause: unknown) => (cause as Error)?.message ?? cause;

export const storeErrors = errorCatalogue(StoreError, {
  storeUnavailable: {
    code: 'STORE_ERR_UNAVAILABLE',
    status: 503,
    text: (cause: unknown) => ({ message: `the store did not answer: ${why(cause)}`, cause }),
  },
  storeTimeout: {
    code: 'STORE_ERR_TIMEOUT',
    status: 504,
    text: (cause?: unknown) => ({ message: 'the query ran past its time budget', cause }),
  },
  migrationFailed: {
    code: 'STORE_ERR_MIGRATION',
    status: 500,
    text: (file: string, cause: unknown) => ({ message: `migration ${file} failed: ${why(cause)}`, cause }),
  },
  /** The store answered that these rows cannot be stored: retrying them unchanged cannot succeed. */
  storeRejected: {
    code: 'STORE_ERR_REJECTED',
    status: 422,
    text: (cause: unknown) => ({ message: `the store refused the rows: ${why(cause)}`, cause }),
  },
});

export const { storeUnavailable, storeTimeout, migrationFailed, storeRejected } = storeErrors;

/**
 * ClickHouse's codes for "this data cannot be read into these columns" (CANNOT_PARSE_*, INCORRECT_DATA,
 * TYPE_MISMATCH, VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE, …): the same rows fail again however often they are sent.
 * Anything else — no answer, a missing table, memory, disk, too many parts — may pass on a later try.
 */
const REJECTED_DATA_CODES = new Set([
  6, 25, 26, 27, 38, 41, 53, 69, 70, 72, 117, 130, 131, 321, 376, 407, 467,
]);

/** The ClickHouse error code of a failed call (server: `code` "27"; chDB: `clickhouseCode`; else the message). */
function clickhouseCodeOf(err: unknown): number | undefined {
  const e = err as { clickhouseCode?: unknown; code?: unknown; message?: unknown } | undefined;
  if (typeof e?.clickhouseCode === 'number') return e.clickhouseCode;
  if (typeof e?.code === 'string' && /^\d+$/.test(e.code)) return Number(e.code);
  const match = typeof e?.message === 'string' ? /\bCode: (\d+)\. DB::Exception/.exec(e.message) : null;
  return match ? Number(match[1]) : undefined;
}

/** An insert failure as the caller must treat it: rows the store refuses, or the store being unavailable. */
export const insertFailed = (cause: unknown) => {
  const code = clickhouseCodeOf(cause);
  return code !== undefined && REJECTED_DATA_CODES.has(code) ? storeRejected(cause) : storeUnavailable(cause);
};
