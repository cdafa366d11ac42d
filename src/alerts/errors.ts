import { CodedError } from '../server/coded-error.ts';

/** Errors of the alerts API: a stable `code`, an HTTP status, and details a caller can act on. */
export class AlertError extends CodedError {}

export const badRule = (problems: string[]) =>
  new AlertError('ALERT_ERR_BAD_RULE', 400, problems.join('; '), problems);

export const notFound = (what: string) => new AlertError('ALERT_ERR_NOT_FOUND', 404, what);

export const readOnly = (id: string) =>
  new AlertError(
    'ALERT_ERR_READ_ONLY',
    409,
    `rule "${id}" comes from the configuration (SIGHTLINE_ALERTS); change it there`,
  );

export const noMailServer = () =>
  new AlertError(
    'ALERT_ERR_NO_SMTP',
    409,
    'e-mail needs a mail server: set SIGHTLINE_SMTP_URL and SIGHTLINE_SMTP_FROM, then restart',
  );

export const deliveryFailed = (why: string) => new AlertError('ALERT_ERR_DELIVERY', 502, why);
