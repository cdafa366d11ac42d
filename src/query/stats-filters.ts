/**
 * `filters=[["is","page",["/pricing","/docs"]],["contains","source",["goo"]],["is_not","country",["US"]]]` — every
 * dimension of the breakdowns, with `is`, `is_not`, `contains` and `matches` (RE2). Columns come from the allow-list,
 * values are always server-side parameters.
 */

import { ROLLED_UP_COLUMNS } from '../store/event-columns.ts';
import { SESSION_HASH } from '../store/event-keys.ts';
import { VISITS_TABLE } from '../store/visits.ts';
import { DIMENSIONS, PROP_PREFIX, VISIT_DIMENSIONS } from './dimensions.ts';
import { type ParamProblem, shareProperty } from './errors.ts';
import type { Target } from './read-auth.ts';
import { sampleClause } from './sampling.ts';
import { scopeFilter } from './scope-filter.ts';

export const FILTER_OPS = ['is', 'is_not', 'contains', 'matches'] as const;
type Op = (typeof FILTER_OPS)[number];

export interface SqlFilter {
  /** Conditions on `events` (` AND …` each; visit-level ones as `session_id IN` the matching visits). */
  sql: string;
  params: Record<string, string | string[]>;
  /** The visit-level conditions alone, on `visits`' columns (` AND …` each). */
  visitSql?: string;
  /** The event-level conditions alone, on `events` (` AND …` each). */
  eventSql?: string;
  /**
   * The event-level conditions as one on a `visits` row (` AND …`): the visit holds a matching event — when they
   * all test the page or all the event type, which a visit row lists (src/store/visit-contents.ts); else absent.
   */
  visitEventSql?: string;
  /**
   * The whole filter is one `is` on a dimension the rollups keep per value (a page, an event type): the rollup rows of
   * those values hold the counts of exactly the events it keeps (src/query/rollup-scope.ts). Its values are the
   * parameter `param`.
   */
  rolledUp?: { dimension: string; param: string };
}

/** What a visit row lists of its events' values, per event dimension it can answer. */
const VISIT_LISTS: Readonly<Record<string, readonly string[]>> = {
  // A page filter matches events of any type: the pages viewed and the other events' paths (each tested apart:
  // joining the lists would copy them for every row).
  page: ['pages', 'other_paths'],
  event: ['event_types'],
};

const MAX_FILTERS = 20;

export const NO_FILTER: SqlFilter = { sql: '', params: {} };

/** Who the filters are parsed for: the target's scope and, for share links, the property keys they may use. */
export interface FilterScope {
  target: Target | undefined;
  /** Property keys this caller may filter on; undefined = any. */
  propertyKeys?: ReadonlySet<string>;
}

/**
 * The head of the semi-join that keeps the events of the visits a filter selects, every event read: the events' and
 * the visit rows' 64-bit hash of the id (a set of numbers is built and probed about twice as fast as one of strings,
 * 10 M events), every visit read. Marked, so `eventFilterSql` can put the sampled head in its place.
 */
const SEMI_JOIN_MARK = '/*visits-semi-join*/';
const EXACT_SEMI_JOIN = `cityHash64(session_id) IN (SELECT cityHash64(session_id) FROM ${VISITS_TABLE}`;

/**
 * The head over `SAMPLE 1/N` of the events: the visits' same sample (both tables sample by the visitor's hash, so
 * the set is a tenth as large), and the events' stored 32-bit hash (`session_hash`, src/store/event-keys.ts) read
 * as `identity(…)` so the engine does not first build the set for an index the column is not in (slower by half).
 */
const sampledSemiJoin = (sample: number) =>
  `identity(session_hash) IN (SELECT ${SESSION_HASH} FROM ${VISITS_TABLE}${sampleClause(sample)}`;

/**
 * A condition on a visit's dimension (its source, channel, UTM tags, entry or exit page, place, device) keeps the
 * events of the visits that satisfy it, read from `visits` within the outer query's scope (project, and tenant when
 * scoped: no other tenant's visit can match) for visits started up to a day before the range. Any row of a visit
 * with `sign = 1` names it (a cancelled version carries the same session id); a visit whose first event changed
 * value since an earlier version still matches on the earlier value until the engine merges the pair away.
 */
function visitsWhere(condition: string, target: Target | undefined): string {
  const scope = scopeFilter(target ?? { project: '' }, false);
  return `${SEMI_JOIN_MARK}${EXACT_SEMI_JOIN}
    WHERE ${scope.sql} AND sign = 1 AND ${condition}
      AND started_at >= {from:DateTime64(3, 'UTC')} - INTERVAL 1 DAY AND started_at < {to:DateTime64(3, 'UTC')})`;
}

/**
 * A filter's conditions on `events` for a query that reads `SAMPLE 1/sample` of them (1 or none: every event): its
 * visit conditions read the same sample of `visits`, and over a sample match the events by their stored hash.
 */
export function eventFilterSql(filter: SqlFilter, sample: number | undefined): string {
  if (sample === undefined || sample <= 1) return filter.sql;
  return filter.sql.replaceAll(`${SEMI_JOIN_MARK}${EXACT_SEMI_JOIN}`, sampledSemiJoin(sample));
}

function columnOf(
  dimension: string,
  i: number,
  params: Record<string, string | string[]>,
  propertyKeys: ReadonlySet<string> | undefined,
): string | undefined {
  if (dimension in VISIT_DIMENSIONS) return VISIT_DIMENSIONS[dimension];
  if (dimension in DIMENSIONS) return DIMENSIONS[dimension];
  if (dimension.startsWith(PROP_PREFIX) && dimension.length > PROP_PREFIX.length) {
    const key = dimension.slice(PROP_PREFIX.length);
    // A filter on a property is an oracle for its values (`matches` guesses a secret a character at a time).
    if (propertyKeys && !propertyKeys.has(key)) throw shareProperty(key);
    params[`fp${i}`] = key;
    return `JSONExtractString(props, {fp${i}:String})`;
  }
  return undefined;
}

export function parseFilters(
  raw: string | undefined,
  problems: ParamProblem[],
  scope: FilterScope,
): SqlFilter {
  const out: SqlFilter = { sql: '', params: {} };
  if (raw === undefined) return out;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    problems.push({ param: 'filters', message: 'must be JSON: [["is","page",["/"]], …]' });
    return out;
  }
  if (!Array.isArray(list) || list.length > MAX_FILTERS) {
    problems.push({
      param: 'filters',
      message: `must be an array of at most ${MAX_FILTERS} [op, dimension, values] filters`,
    });
    return out;
  }
  const parts: string[] = [];
  const visitParts: string[] = [];
  const eventParts: string[] = [];
  // Each event-level condition as a test of any value, for a visit row's lists.
  const listed: Array<{ dimension: string; test: (value: string) => string; anyOf?: string }> = [];
  list.forEach((f, i) => {
    const [op, dimension, values] = Array.isArray(f) ? f : [];
    if (!FILTER_OPS.includes(op as Op)) {
      problems.push({ param: `filters[${i}]`, message: `operator must be one of ${FILTER_OPS.join(', ')}` });
      return;
    }
    const column =
      typeof dimension === 'string' ? columnOf(dimension, i, out.params, scope.propertyKeys) : undefined;
    if (!column) {
      problems.push({ param: `filters[${i}]`, message: `unknown dimension ${JSON.stringify(dimension)}` });
      return;
    }
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      values.length > 100 ||
      !values.every((v) => typeof v === 'string')
    ) {
      problems.push({ param: `filters[${i}]`, message: 'values must be a non-empty array of strings' });
      return;
    }
    out.params[`fv${i}`] = values;
    const vs = `{fv${i}:Array(String)}`;
    const test = (value: string) => {
      if (op === 'is') return `${value} IN ${vs}`;
      if (op === 'is_not') return `${value} NOT IN ${vs}`;
      if (op === 'contains') return `arrayExists(v -> position(${value}, v) > 0, ${vs})`;
      return `arrayExists(v -> match(${value}, v), ${vs})`;
    };
    const condition = test(column);
    if (dimension in VISIT_DIMENSIONS) {
      parts.push(visitsWhere(condition, scope.target));
      visitParts.push(condition);
    } else {
      parts.push(condition);
      eventParts.push(condition);
      listed.push({ dimension: String(dimension), test, anyOf: op === 'is' ? vs : undefined });
    }
  });
  if (list.length === 1 && listed.length === 1 && listed[0].anyOf && listed[0].dimension in ROLLED_UP_COLUMNS)
    out.rolledUp = { dimension: listed[0].dimension, param: 'fv0' };
  const and = (list: string[]) => list.map((p) => ` AND ${p}`).join('');
  out.sql = and(parts);
  out.visitSql = and(visitParts);
  out.eventSql = and(eventParts);
  const lists = VISIT_LISTS[listed[0]?.dimension];
  if (lists && listed.every((l) => l.dimension === listed[0].dimension)) {
    const test = listed.map((l) => l.test('fx')).join(' AND ');
    // One `is`: a lookup of the values in each list, cheaper than a lambda per element.
    const one = listed.length === 1 ? listed[0].anyOf : undefined;
    const inList = (list: string) =>
      one ? `hasAny(${list}, ${one})` : `arrayExists(fx -> ${test}, ${list})`;
    out.visitEventSql = ` AND (${lists.map(inList).join(' OR ')})`;
  }
  return out;
}
