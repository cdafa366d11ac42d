/**
 * The invariant of `visits` (src/store/visits.ts): after the pairs cancel, each visit is one live row equal to the
 * visit folded from its stored events — whatever crashed, was re-delivered or retried on the way.
 */
import assert from 'node:assert/strict';
import type { GoalSpec } from '../../src/query/goal-spec.ts';
import { maskSql, NO_EPOCH, visitGoalBits } from '../../src/query/visit-goal-bits.ts';
import type { Store } from '../../src/store/store.ts';
import { VISIT_CONTENT_COLUMNS } from '../../src/store/visit-contents.ts';
import { VISIT_ATTRIBUTES, visitsFromEventsSql } from '../../src/store/visits.ts';

const COLUMNS = `session_id, tenant_id, toString(visitor_id) AS visitor_id, user_id,
  toUnixTimestamp64Milli(started_at) AS started, toUnixTimestamp64Milli(ended_at) AS ended, pageviews, events,
  toUInt8(is_bot) AS is_bot, entry_page, exit_page, ${VISIT_CONTENT_COLUMNS.join(', ')}, ${VISIT_ATTRIBUTES.join(', ')}`;

export async function assertVisitsMatchEvents(store: Store, project: string, context = ''): Promise<number> {
  const folded = await store.query<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM (${visitsFromEventsSql('project = {p:String}')}) ORDER BY session_id`,
    { p: project },
  );
  const weights = await store.query<{ k: string; n: string; pv: string; ev: string; rows: string }>(
    `SELECT concat(tenant_id, '/', session_id) AS k, sum(sign) AS n, sum(sign * pageviews) AS pv,
            sum(sign * events) AS ev, count() AS rows
     FROM visits WHERE project = {p:String} GROUP BY tenant_id, session_id ORDER BY k`,
    { p: project },
  );
  const live = await store.query<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM visits WHERE project = {p:String} AND sign = 1
     ORDER BY tenant_id, session_id, version DESC LIMIT 1 BY tenant_id, session_id`,
    { p: project },
  );
  const byId = (rows: Array<Record<string, unknown>>) =>
    new Map(rows.map((r) => [`${r.tenant_id}/${r.session_id}`, r]));
  const expected = byId(folded);
  const wrong = weights.filter((w) => {
    const e = expected.get(w.k);
    return (
      Number(w.n) !== 1 || !e || Number(w.pv) !== Number(e.pageviews) || Number(w.ev) !== Number(e.events)
    );
  });
  assert.deepEqual(
    wrong.slice(0, 5),
    [],
    `visits whose rows do not sum to one visit of its events (${context})`,
  );
  assert.equal(weights.length, folded.length, `one visit per session with events (${context})`);
  const liveById = byId(live);
  const differ = [...expected]
    .filter(([id, e]) => JSON.stringify(liveById.get(id)) !== JSON.stringify(e))
    .map(([id, e]) => ({ expected: e, stored: liveById.get(id) ?? null, id }));
  assert.deepEqual(differ.slice(0, 3), [], `visit rows that differ from their events (${context})`);
  return folded.length;
}

/**
 * The goal stamps of `visits` (src/query/visit-goal-bits.ts): a row stamped with the project's list holds the bits
 * its lists give (as the backfill's SQL computes them), and no row holds another list's stamp — whatever crashed,
 * was re-delivered or retried (rows may still be unstamped: the api stamps those in the background). Returns the
 * stamped rows.
 */
export async function assertGoalStamps(
  store: Store,
  project: string,
  goals: readonly GoalSpec[],
  context = '',
): Promise<number> {
  const bits = visitGoalBits(goals);
  assert.ok(bits, 'goals a visit row can hold');
  const mask = maskSql(bits);
  const [row] = await store.query<{ wrong: string; stamped: string; other: string }>(
    `SELECT countIf(goal_epoch = {epoch:UInt32} AND goal_mask != (${mask.sql})) AS wrong,
            countIf(goal_epoch = {epoch:UInt32}) AS stamped,
            countIf(goal_epoch NOT IN ({epoch:UInt32}, {none:UInt32})) AS other
     FROM visits WHERE project = {p:String}`,
    { ...mask.params, epoch: bits.epoch, none: NO_EPOCH, p: project },
  );
  assert.equal(Number(row.wrong), 0, `visit rows whose goal bits are not their lists' (${context})`);
  assert.equal(Number(row.other), 0, `visit rows stamped with another goal list (${context})`);
  return Number(row.stamped);
}
