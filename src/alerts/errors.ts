import { CodedError, errorCatalogue } from '../contract/coded-error.ts';

/** Errors of the alerts API: a stable `code`, an HTTP status, and details a caller can act on. */
export class AlertError extends CodedError {}

export const alertErrors = errorCatalogue(AlertError, {
  badRule: {
    code: 'ALERT_ERR_BAD_RULE',
    status: 400,
    text: (problems: string[]) => ({ message: problems.join('; '), details: problems }),
  },
  notFound: { code: 'ALERT_ERR_NOT_FOUND', status: 404, text: (what: string) => what },
  readOnly: {
    code: 'ALERT_ERR_READ_ONLY',
    status: 409,
    text: (id: string) => `rule "${id}" comes from the configuration (SIGHTLINE_ALERTS); change it there`,
  },
  noMailServer: {
    code: 'ALERT_ERR_NO_SMTP',
    status: 409,
    text: () => 'e-mail needs a mail server: set SIGHTLINE_SMTP_URL and SIGHTLINE_SMTP_FROM, then restart',
  },
  deliveryFailed: { code: 'ALERT_ERR_DELIVERY', status: 502, text: (why: string) => why },
});

export const { badRule, notFound, readOnly, noMailServer, deliveryFailed } = alertErrors;
