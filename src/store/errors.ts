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
