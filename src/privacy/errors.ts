import { CodedError } from '../server/coded-error.ts';

/** Errors of erasure and export: a stable `code`, an HTTP status, and what the caller can fix. */
export class PrivacyError extends CodedError {}

export const privacyBadParams = (problems: Array<{ param: string; message: string }>) =>
  new PrivacyError(
    'PRIVACY_ERR_BAD_PARAMS',
    400,
    problems.map((p) => `${p.param} ${p.message}`).join('; '),
    problems,
  );

export const privacyUnavailable = (cause: unknown) =>
  new PrivacyError(
    'PRIVACY_ERR_UNAVAILABLE',
    503,
    `the store did not complete the request; an erasure that started is finished at the next start: ${(cause as Error)?.message ?? cause}`,
  );
