/**
 * Whether a request may read its goals from the visit rows' bits (src/query/visit-goal-bits.ts): only when none of
 * the rows it reads — the project's visits of its ranges, in its sample — has another epoch than the project's goal
 * list now. Otherwise (a list changed, rows not stamped yet) the goals are read from the rows' lists, as before: the
 * answer is the same either way. The dashboard's calls for a page ask at once and share one look.
 */

import type { Store } from '../store/store.ts';
import { VISITS_TABLE } from '../store/visits.ts';
import type { GoalSpec } from './goal-spec.ts';
import { sampleClause } from './sampling.ts';
import type { TimeRange } from './time-range.ts';
import { type VisitGoalBits, visitGoalBits } from './visit-goal-bits.ts';

/** The looks under way, per store, by what they read: asked again once answered (rows may land any time). */
const looking = new WeakMap<object, Map<string, Promise<boolean>>>();

export async function currentVisitGoalBits(
  store: Store,
  project: string,
  goals: readonly GoalSpec[],
  ranges: readonly TimeRange[],
  sample: number,
  timeoutMs: number,
): Promise<VisitGoalBits | undefined> {
  const bits = visitGoalBits(goals);
  if (!bits || ranges.length === 0) return undefined;
  // A look per range: a comparison's first range is the one the page's other calls read.
  const clean = await Promise.all(ranges.map((r) => look(store, project, bits.epoch, r, sample, timeoutMs)));
  return clean.every(Boolean) ? bits : undefined;
}

/** Whether no visit row of `range` (in the sample) has another epoch; one look for the calls that ask at once. */
function look(
  store: Store,
  project: string,
  epoch: number,
  range: TimeRange,
  sample: number,
  timeoutMs: number,
): Promise<boolean> {
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
