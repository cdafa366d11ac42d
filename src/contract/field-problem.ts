/**
 * One thing wrong with a received event or record, as the collector's 400 body lists them and as dead letters
 * carry them: the same shape whichever stage found it.
 */
export interface FieldProblem {
  /** Index in a batch; absent for a single event. */
  index?: number;
  field: string;
  message: string;
}
