import { CodedError, errorCatalogue } from '../contract/coded-error.ts';

/** Errors of the log stage; the collector answers any of them with its own 503 (nothing acknowledged). */
export class LogError extends CodedError {}

export const logErrors = errorCatalogue(LogError, {
  walWriteFailed: {
    code: 'LOG_ERR_WRITE',
    status: 503,
    text: (cause: unknown) => ({
      message: `write-ahead log write failed: ${(cause as Error)?.message ?? cause}`,
      cause,
    }),
  },
  logClosed: { code: 'LOG_ERR_CLOSED', status: 503, text: () => 'the log is closed' },
});

export const { walWriteFailed, logClosed } = logErrors;
