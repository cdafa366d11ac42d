import { CodedError } from '../server/coded-error.ts';

/** Errors of the forwarding endpoints: a stable code, an HTTP status, details a caller can act on. */
export class ForwardError extends CodedError {}

export const forwardUnauthenticated = () =>
  new ForwardError('FORWARD_ERR_UNAUTHENTICATED', 401, 'send "Authorization: Bearer <admin token>"');

export const forwardNoAdminToken = () =>
  new ForwardError(
    'FORWARD_ERR_NO_ADMIN_TOKEN',
    403,
    'this process has no admin token; set SIGHTLINE_ADMIN_TOKEN to use the forwarding endpoints',
  );

export const forwardBadParams = (problems: Array<{ param: string; message: string }>) =>
  new ForwardError(
    'FORWARD_ERR_BAD_PARAMS',
    400,
    problems.map((p) => `${p.param} ${p.message}`).join('; '),
    problems,
  );
