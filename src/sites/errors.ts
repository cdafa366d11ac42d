import { CodedError, errorCatalogue } from '../contract/coded-error.ts';

/** Errors of the sites API beyond the read API's own (not found, bad params, forbidden). */
export class SiteError extends CodedError {}

export const siteErrors = errorCatalogue(SiteError, {
  managed: {
    code: 'SITES_ERR_MANAGED',
    status: 409,
    text: (name: string) =>
      `site "${name}" is managed by configuration (SIGHTLINE_PROJECTS); change it there and restart`,
  },
  confirmMismatch: {
    code: 'SITES_ERR_CONFIRM_MISMATCH',
    status: 409,
    text: (name: string, stored: { events: number }, confirm: number) => ({
      message: `site "${name}" holds ${stored.events} events, not ${confirm}; confirm with the current number`,
      details: stored,
    }),
  },
});

export const { managed, confirmMismatch } = siteErrors;
