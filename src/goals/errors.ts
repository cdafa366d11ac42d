import { CodedError, errorCatalogue } from '../contract/coded-error.ts';

/** Errors of the goals and saved-funnels API: a stable `code`, an HTTP status, the fields a caller can fix. */
export class GoalError extends CodedError {}

export interface FieldProblem {
  field: string;
  message: string;
}

export const goalErrors = errorCatalogue(GoalError, {
  badInput: {
    code: 'GOALS_ERR_BAD_INPUT',
    status: 400,
    text: (problems: FieldProblem[]) => ({
      message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      details: problems,
    }),
  },
  notFound: { code: 'GOALS_ERR_NOT_FOUND', status: 404, text: (what: string) => what },
  managedByConfig: {
    code: 'GOALS_ERR_READ_ONLY',
    status: 409,
    text: (name: string) =>
      `goal "${name}" is managed by configuration (SIGHTLINE_GOALS); change it there and restart`,
  },
});

export const { badInput, notFound, managedByConfig } = goalErrors;
