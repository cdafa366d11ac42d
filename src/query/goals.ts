/**
 * Conversion goals as SQL conditions over `events`: event types by name (optionally with property conditions),
 * page goals by path pattern.
 */

import type { GoalSpec } from './goal-spec.ts';
import type { VisitGoalBits } from './visit-goal-bits.ts';

export interface GoalCondition {
  sql: string;
  /**
   * The same condition over rollup rows (src/store/rollups.ts): event goals are the totals' rows of their types,
   * page goals the `page` rows of pageviews whose value matches — which a rollup scope of the totals and the
   * pageviews' page rows holds (rollup-scope.ts, `goalPages`).
   */
  rollup: string;
  params: Record<string, string | string[]>;
  /**
   * The rollups' `page` rows of the pageviews the page goals match (with page goals): the only page rows a goal's
   * rollup scope needs to read (rollup-scope.ts, `goalPages`).
   */
  rollupPages?: string;
  /**
   * The same condition over rollup rows of the `page` dimension, read as events of that path (their `value` the path):
   * event goals by type, page goals by the pageviews' value. For a scope of one page filter's rows
   * (src/query/queries/overview.query.ts); absent when a goal tests properties.
   */
  pageRows?: string;
  /** The event types and the page patterns it stands for (the rollups answer event goals only). */
  events: string[];
  pages: string[];
  /**
   * Some goal tests event properties, which the rollups do not keep: such a condition is answered from the events
   * only (`rollup` then stands for the goals' event types alone and must not be read).
   */
  properties: boolean;
  /**
   * The same condition over a `visits` row — the visit reached a goal (src/store/visit-contents.ts: its event types,
   * the paths it viewed) — or nothing when a goal tests properties, which visits do not keep.
   */
  visit?: string;
}

/**
 * The rollups' `page` rows of the pageviews some page goal of a project matches, and those goals' patterns: what a
 * rollup scope of the totals keeps for every call of a request, whichever goal the call counts (rollup-scope.ts), so
 * the page's KPIs, chart and goals list read the same rows and share one pass (shared-pass.ts).
 */
export interface GoalPageRows {
  sql: string;
  params: Record<string, string | string[]>;
  pages: readonly string[];
}

/** `goals`' page rows, under parameter names of their own (`goal_pages_…`), or nothing without page goals. */
export function goalPageRowsOf(goals: readonly GoalSpec[]): GoalPageRows | undefined {
  const c = goalCondition(
    goals.filter((g) => g.kind === 'page'),
    'goal_pages',
  );
  return c?.rollupPages ? { sql: c.rollupPages, params: c.params, pages: c.pages } : undefined;
}

/** `/thanks*` → `^/thanks.*$` (RE2), every other character literal. */
export function patternToRegex(pattern: string): string {
  return `^${pattern
    .split('*')
    .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
    .join('.*')}$`;
}

/**
 * `/thanks*` → `/thanks%` for LIKE, every other character literal (`%`, `_` and `\` escaped). LIKE with a
 * literal prefix is far cheaper than a regular expression per row (~30 % of a sampled card's time with goals).
 */
export function patternToLike(pattern: string): string {
  return pattern
    .split('*')
    .map((part) => part.replace(/[\\%_]/g, '\\$&'))
    .join('%');
}

/** The bits of `goals` in `bits` as one mask (UInt64, decimal), or nothing when one of them has none. */
function maskOf(bits: VisitGoalBits, goals: readonly GoalSpec[]): string | undefined {
  let mask = 0n;
  for (const g of goals) {
    const bit = bits.bitOf(g);
    if (bit === undefined) return undefined;
    mask |= 1n << BigInt(bit);
  }
  return String(mask);
}

/**
 * One condition true for an event that reaches any of `goals` (`prefix` keeps parameter names apart). `bits`: the
 * project's visit goal bits, current on every visit row the request reads (src/query/visit-goal-currency.ts) — the
 * visit rows' condition is then a test of their bits instead of their lists.
 */
export function goalCondition(
  goals: readonly GoalSpec[],
  prefix = 'goal',
  bits?: VisitGoalBits,
): GoalCondition | undefined {
  if (goals.length === 0) return undefined;
  const eventGoals = goals.filter((g) => g.kind === 'event');
  const plain = eventGoals.filter((g) => !g.conditions?.length).map((g) => g.value);
  const withProps = eventGoals.filter((g) => g.conditions?.length);
  const events = eventGoals.map((g) => g.value);
  const patterns = goals.filter((g) => g.kind === 'page').map((g) => g.value);
  const parts: string[] = [];
  const rollup: string[] = [];
  const visit: string[] = [];
  const params: Record<string, string | string[]> = {};
  // As `parts` over rollup rows of pages, the rows' value for the path (`pageRows`).
  const pageRows: string[] = [];
  let rollupPages: string | undefined;
  if (plain.length > 0) {
    parts.push(`type IN {${prefix}_events:Array(String)}`);
    pageRows.push(`type IN {${prefix}_events:Array(String)}`);
    params[`${prefix}_events`] = plain;
  }
  withProps.forEach((g, i) => {
    const name = `${prefix}_pe${i}`;
    params[name] = g.value;
    const tests = (g.conditions ?? []).map((c, j) => {
      params[`${name}_k${j}`] = c.key;
      params[`${name}_v${j}`] = c.value;
      const op = c.op === 'is' ? '=' : '!=';
      return `JSONExtractString(props, {${name}_k${j}:String}) ${op} {${name}_v${j}:String}`;
    });
    parts.push(`(type = {${name}:String} AND ${tests.join(' AND ')})`);
  });
  if (plain.length > 0) {
    visit.push(`hasAny(event_types, {${prefix}_events:Array(String)})`);
  }
  if (events.length > 0) {
    rollup.push(`(dimension = '' AND type IN {${prefix}_rollup_events:Array(String)})`);
    params[`${prefix}_rollup_events`] = events;
  }
  if (patterns.length > 0) {
    const like = (column: string) =>
      patterns.map((_, i) => `${column} LIKE {${prefix}_page${i}:String}`).join(' OR ');
    patterns.forEach((p, i) => {
      params[`${prefix}_page${i}`] = patternToLike(p);
    });
    const pageviewAt = (column: string) => `(type = 'pageview' AND (${like(column)}))`;
    parts.push(pageviewAt('path'));
    pageRows.push(pageviewAt('value'));
    rollupPages = `(dimension = 'page' AND ${pageviewAt('value')})`;
    rollup.push(rollupPages);
    visit.push(`arrayExists(p -> ${like('p')}, pages)`);
  }
  const mask = bits && withProps.length === 0 ? maskOf(bits, goals) : undefined;
  if (mask !== undefined) {
    // The epoch too: a row stamped with another list since the look (a processor yet to learn a change) counts as
    // reaching none of these goals rather than the goals its bits stood for.
    params[`${prefix}_epoch`] = String(bits?.epoch);
    params[`${prefix}_mask`] = mask;
    visit.splice(
      0,
      visit.length,
      `goal_epoch = {${prefix}_epoch:UInt32} AND bitAnd(goal_mask, {${prefix}_mask:UInt64}) != 0`,
    );
  }
  return {
    sql: `(${parts.join(' OR ')})`,
    rollup: `(${rollup.join(' OR ')})`,
    ...(rollupPages ? { rollupPages } : {}),
    params,
    events,
    pages: patterns,
    properties: withProps.length > 0,
    ...(withProps.length > 0
      ? {}
      : {
          visit: `(${visit.join(' OR ')})`,
          pageRows: `(${pageRows.join(' OR ')})`,
        }),
  };
}
