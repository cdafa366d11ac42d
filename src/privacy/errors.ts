import { CodedError, errorCatalogue } from '../contract/coded-error.ts';

/** Errors of erasure and export: a stable `code`, an HTTP status, and what the caller can fix. */
export class PrivacyError extends CodedError {}

export const privacyErrors = errorCatalogue(PrivacyError, {
  privacyBadParams: {
    code: 'PRIVACY_ERR_BAD_PARAMS',
    status: 400,
    text: (problems: Array<{ param: string; message: string }>) => ({
      message: problems.map((p) => `${p.param} ${p.message}`).join('; '),
      details: problems,
    }),
  },
  privacyUnavailable: {
    code: 'PRIVACY_ERR_UNAVAILABLE',
    status: 503,
    text: (cause: unknown) =>
      `the store did not complete the request; an erasure that started is finished at the next start: ${(cause as Error)?.message ?? cause}`,
  },
});

export const { privacyBadParams, privacyUnavailable } = privacyErrors;
