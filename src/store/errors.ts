export class StoreError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 503, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.statusCode = statusCode;
  }
}

export const storeUnavailable = (cause: unknown) =>
  new StoreError(
    'STORE_ERR_UNAVAILABLE',
    `the store did not answer: ${(cause as Error)?.message ?? cause}`,
    503,
    {
      cause,
    },
  );

export const migrationFailed = (file: string, cause: unknown) =>
  new StoreError(
    'STORE_ERR_MIGRATION',
    `migration ${file} failed: ${(cause as Error)?.message ?? cause}`,
    500,
    {
      cause,
    },
  );

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

/** The store answered that these rows cannot be stored: retrying them unchanged cannot succeed. */
export const storeRejected = (cause: unknown) =>
  new StoreError(
    'STORE_ERR_REJECTED',
    `the store refused the rows: ${(cause as Error)?.message ?? cause}`,
    422,
    { cause },
  );

/** An insert failure as the caller must treat it: rows the store refuses, or the store being unavailable. */
export const insertFailed = (cause: unknown) => {
  const code = clickhouseCodeOf(cause);
  return code !== undefined && REJECTED_DATA_CODES.has(code) ? storeRejected(cause) : storeUnavailable(cause);
};
