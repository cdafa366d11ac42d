import { CodedError } from '../server/coded-error.ts';

/** Errors of the goals and saved-funnels API: a stable `code`, an HTTP status, the fields a caller can fix. */
export class GoalError extends CodedError {}

export interface FieldProblem {
  field: string;
  message: string;
}

export const badInput = (problems: FieldProblem[]) =>
  new GoalError(
    'GOALS_ERR_BAD_INPUT',
    400,
    problems.map((p) => `${p.field}: ${p.message}`).join('; '),
    problems,
  );

export const notFound = (what: string) => new GoalError('GOALS_ERR_NOT_FOUND', 404, what);

export const managedByConfig = (name: string) =>
  new GoalError(
    'GOALS_ERR_READ_ONLY',
    409,
    `goal "${name}" is managed by configuration (SIGHTLINE_GOALS); change it there and restart`,
  );
