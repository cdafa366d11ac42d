/** Errors of the log stage; the collector maps any of them to a 503 (nothing acknowledged). */
export class LogError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export class WalWriteError extends LogError {
  constructor(cause: unknown) {
    super('LOG_ERR_WRITE', `write-ahead log write failed: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

export class LogClosedError extends LogError {
  constructor() {
    super('LOG_ERR_CLOSED', 'the log is closed');
  }
}
