/**
 * Whether a request may read its goals from the visit rows' bits (src/query/visit-goal-bits.ts): only when none of
 * the rows it reads — the project's visits of its ranges, in its sample — has another epoch than the project's goal
 * list now. Otherwise (a list changed, rows not stamped yet) the goals are read from the rows' lists, as before: the
 * answer is the same either way. A query looks only when it is about to read the visit rows' goals, for the range
 * it reads; the dashboard's calls for a page ask at once and share one look.
 */

import type { Store } from '../store/store.ts';
import { VISITS_TABLE } from '../store/visits.ts';
import type { GoalSpec } from './goal-spec.ts';
import { goalCondition } from './goals.ts';
import { sampleClause } from './sampling.ts';
import type { StatsQuery } from './stats-query.ts';
import type { TimeRange } from './time-range.ts';
import { type VisitGoalBits, visitGoalBits } from './visit-goal-bits.ts';

/** The looks under way, per store, by what they read: asked again once answered (rows may land any time). */
const looking = new WeakMap<object, Map<string, Promise<boolean>>>();

/** What a request needs to read its goals from the visit rows' bits: the bits, and the goals it asked for. */
export interface VisitGoalLook {
  project: string;
  bits: VisitGoalBits;
  /** The goals of the request (`goal=` picks one): the condition made over the bits. */
  chosen: readonly GoalSpec[];
  timeoutMs: number;
}

/** The look a request carries, when the project has goals a visit row can hold. */
export function visitGoalLook(
  project: string,
  goals: readonly GoalSpec[],
  chosen: readonly GoalSpec[],
  timeoutMs: number,
): VisitGoalLook | undefined {
  const bits = visitGoalBits(goals);
  return bits && chosen.length > 0 ? { project, bits, chosen, timeoutMs } : undefined;
}

/**
 * The bits, when every visit row of `q`'s range (in its sample) holds them. Asked by the queries that are about to
 * read the visit rows' goals, for the range they read (a comparison's other period asks for its own).
 */
export async function visitGoalBitsFor(q: StatsQuery): Promise<VisitGoalBits | undefined> {
  const look = q.visitGoals;
  if (!look) return undefined;
  const clean = await lookAt(q.store, look, q.range, q.sample ?? 1);
  return clean ? look.bits : undefined;
}

/** `q` with its goal read from the visit rows' bits when they are current (`visitGoalBitsFor`), else `q`. */
export async function withVisitGoalBits(q: StatsQuery): Promise<StatsQuery> {
  if (!q.goal || !q.visitGoals) return q;
  const bits = await visitGoalBitsFor(q);
  return bits ? { ...q, goal: goalCondition(q.visitGoals.chosen, 'goal', bits) } : q;
}

/** Whether no visit row of `range` (in the sample) has another epoch; one look for the calls that ask at once. */
function lookAt(
  store: Store,
  { project, bits, timeoutMs }: VisitGoalLook,
  range: TimeRange,
  sample: number,
): Promise<boolean> {
  const epoch = bits.epoch;
  const key = JSON.stringify([project, epoch, range.start, range.end, sample]);
  let table = looking.get(store);
  if (!table) {
    table = new Map();
    looking.set(store, table);
  }
  const open = table.get(key);
  if (open) return open;
  const mine = store
    .query(
      `SELECT 1 FROM ${VISITS_TABLE}${sampleClause(sample)}
       WHERE project = {project:String} AND started_at >= {from:DateTime64(3, 'UTC')}
         AND started_at < {to:DateTime64(3, 'UTC')} AND goal_epoch != {epoch:UInt32}
       LIMIT 1`,
      { project, epoch, from: range.start, to: range.end },
      { timeoutMs },
    )
    .then((rows) => rows.length === 0);
  const places = table;
  places.set(key, mine);
  const forget = () => {
    if (places.get(key) === mine) places.delete(key);
  };
  mine.then(forget, forget);
  return mine;
}
