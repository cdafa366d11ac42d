import { CodedError, errorCatalogue } from '../contract/coded-error.ts';

/** Errors of the forwarding endpoints: a stable code, an HTTP status, details a caller can act on. */
export class ForwardError extends CodedError {}

export const forwardErrors = errorCatalogue(ForwardError, {
  forwardUnauthenticated: {
    code: 'FORWARD_ERR_UNAUTHENTICATED',
    status: 401,
    text: () => 'send "Authorization: Bearer <admin token>"',
  },
  forwardNoAdminToken: {
    code: 'FORWARD_ERR_NO_ADMIN_TOKEN',
    status: 403,
    text: () => 'this process has no admin token; set SIGHTLINE_ADMIN_TOKEN to use the forwarding endpoints',
  },
  forwardBadParams: {
    code: 'FORWARD_ERR_BAD_PARAMS',
    status: 400,
    text: (problems: Array<{ param: string; message: string }>) => ({
      message: problems.map((p) => `${p.param} ${p.message}`).join('; '),
      details: problems,
    }),
  },
});

export const { forwardUnauthenticated, forwardNoAdminToken, forwardBadParams } = forwardErrors;
