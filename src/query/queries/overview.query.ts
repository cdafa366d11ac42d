import { ROLLUP_UNIQ_MERGE_IF } from '../../store/rollups.ts';
import { rollupCountSumPairs, rollupScope, TOTALS_SCOPE } from '../rollup-scope.ts';
import { runStats } from '../run-stats.ts';
import { sampleClause, scaled } from '../sampling.ts';
import {
  changeOf,
  EMPTY_METRICS,
  type Metrics,
  metricsOf,
  SESSION_KEY,
  visitorKeyOf,
  visitShapeColumns,
} from '../stats-metrics.ts';
import { aggregate, type StatsQuery, whereOf } from '../stats-query.ts';
import type { TimeRange } from '../time-range.ts';
import { passTotals } from './shared-pass.ts';
import {
  goalsWithoutVisit,
  sampledRange,
  visitCountSumPairs,
  visitRowsAnswer,
  visitRowsFrom,
  visitShapeSumPairs,
} from './visit-rows.ts';

/** The metrics, plus `sessions` (= visits) as the first API named it. */
export type OverviewNumbers = Metrics & { sessions: number };

export type Overview = OverviewNumbers & {
  comparison?: { from: string; to: string; results: OverviewNumbers; change: Record<string, number | null> };
};

/**
 * Visitors, pageviews and events of the range from the rollups, or nothing (decided at once) when they cannot
 * answer it; and the pageviews without a visit (`goalsWithoutVisit` reads no rollups again when there are none).
 */
function rollupCounts(q: StatsQuery): Promise<Record<string, unknown>> | undefined {
  // The scope the chart and the goals list read too: one pass when they wait for the store together.
  const scope = rollupScope({ ...q, goal: undefined }, '', TOTALS_SCOPE);
  if (!scope) return undefined;
  // Aliases differ from the columns: ClickHouse would read a later `visitors` as the alias, not the states.
  return passTotals(q, scope.source, scope.params, [
    ...rollupCountSumPairs(),
    [
      'n_pageviews_without_visit',
      "sumIf(pageviews, dimension = '') - sumIf(visit_pageviews, dimension = '')",
    ],
  ]);
}

/**
 * A filter of one page (or one event type, without page goals): the matching events' pageviews and events, and the
 * visitors whose matching events reached a goal, from that filter's own rollup rows — every event, no sample, and
 * no pass over the events (a comparison doubles it). Nothing when the rollups cannot answer the range.
 */
async function filterRowCounts(q: StatsQuery): Promise<Record<string, unknown> | undefined> {
  const by = q.filter.rolledUp;
  if (!by || (q.goal && (!q.goal.pageRows || (by.dimension !== 'page' && q.goal.pages.length > 0))))
    return undefined;
  // The scope the chart and the cards of that filter read too: one pass when they wait for the store together.
  const scope = rollupScope({ ...q, goal: undefined }, '', TOTALS_SCOPE);
  if (!scope) return undefined;
  return passTotals(
    q,
    scope.source,
    scope.params,
    [
      ...rollupCountSumPairs().filter(([alias]) => alias !== 'n_visitors'),
      ...(q.goal
        ? ([['conversions', `${ROLLUP_UNIQ_MERGE_IF}(visitors, ${q.goal.pageRows})`]] as const)
        : []),
    ],
    q.goal?.params ?? {},
  );
}

const numberOrUndefined = (v: unknown) => (v === undefined || v === null ? undefined : Number(v));

/**
 * The visits' sums (scaled: they may come from a sample) beside the rollups' visitors, pageviews and events (which
 * never do), as one row for `metricsOf`.
 */
function withRollupCounts(
  visits: Record<string, unknown> | undefined,
  counts: Record<string, unknown>,
  sample: number | undefined,
): Record<string, unknown> {
  return {
    ...Object.fromEntries(Object.entries(visits ?? {}).map(([k, v]) => [k, scaled(v, sample)])),
    visitors: counts.n_visitors,
    pageviews: counts.n_pageviews,
    events: counts.n_events,
  };
}

/**
 * A sampled range, unfiltered or filtered by visit dimensions, pages or event types: the visits and their shape from
 * `visits` — rows of whole visits, summed by sign, over the sample of visitors (src/store/visits.ts), with no
 * grouping of events; a page or event-type filter keeps the visits holding a matching event (their lists,
 * src/store/visit-contents.ts). The other counts:
 * - unfiltered: visitors, pageviews and events from the rollups (which never sample); conversions from the visit
 *   rows that reached a goal, beside goal events sent without a visit when there are any;
 * - filtered by visit dimensions only (which keep whole visits): all from the matching visit rows;
 * - filtered by pages or event types (which keep events): visitors from the matching visits, pageviews, events and
 *   conversions from the matching events (one pass, without grouping them by visit) — or, for one page or event
 *   type (`is`), from that filter's own rollup rows (`filterRowCounts`).
 * Visits count in the range they start in.
 */
async function fromVisitRows(q: StatsQuery): Promise<Record<string, unknown> | undefined> {
  const byEvents =
    q.filter.eventSql !== '' && q.filter.visitEventSql !== undefined && q.filter.visitSql !== undefined;
  if (!visitRowsAnswer(q) && !(sampledRange(q) && byEvents)) return undefined;
  const filtered = q.filter.sql !== '';
  const counting: Promise<Record<string, unknown>> | undefined = filtered
    ? Promise.resolve({})
    : rollupCounts(q);
  if (!counting) return undefined;
  const vk = visitorKeyOf(q.sample);
  const rows = visitRowsFrom(q);
  const fromRows = byEvents ? undefined : q.goal?.visit;
  // All asked for at once, the plain reads first, and the visits read with the cards' visit dimensions when both
  // wait for the store (shared-pass.ts): the dashboard asks for the KPIs and the cards together.
  const counted = byEvents ? filterRowCounts(q) : undefined;
  const [counts, visits, whole] = await Promise.all([
    counting,
    passTotals(q, `${rows.sql} ${byEvents ? q.filter.visitEventSql : ''}`, rows.params, [
      ...visitShapeSumPairs(),
      ...(filtered ? visitCountSumPairs(vk) : []),
      ...(fromRows ? ([['conversions', `uniqExactIf(${vk}, sign = 1 AND ${fromRows})`]] as const) : []),
    ]),
    counted,
  ]);
  const {
    n_visitors,
    n_pageviews: rowPageviews,
    n_events: rowEvents,
    conversions: rowConversions,
    ...shape
  } = visits;
  let [n_pageviews, n_events, conversions] = [rowPageviews, rowEvents, rowConversions];
  const w = whereOf(q);
  if (whole)
    return {
      ...withRollupCounts(shape, { ...whole, n_visitors: scaled(n_visitors, q.sample) }, q.sample),
      ...(q.goal ? { conversions: whole.conversions } : {}),
    };
  if (byEvents) {
    // The matching events themselves: the filter keeps those, not their visits' others.
    const [row] = await runStats<Record<string, unknown>>(
      q,
      `SELECT countIf(type = 'pageview') AS n_pageviews, count() AS n_events
              ${q.goal ? `, uniqExactIf(${vk}, ${q.goal.sql}) AS conversions` : ''}
       FROM events${sampleClause(q.sample)} WHERE ${w.where}`,
      w.params,
    );
    ({ n_pageviews, n_events, conversions } = row ?? {});
  } else if (
    q.goal &&
    (!fromRows || (await goalsWithoutVisit(q, q.goal, numberOrUndefined(counts.n_pageviews_without_visit))))
  ) {
    // Visitors of the visits that converted and of the events without a visit that did, or (goals testing
    // properties) of every goal event. In WHERE, not an -If: the engine skips the rows no goal can match.
    const events = `SELECT ${vk} AS k FROM events${sampleClause(q.sample)} WHERE ${w.where} AND (${q.goal.sql})`;
    const [row] = await runStats<{ n: string }>(
      q,
      fromRows
        ? `SELECT uniqExact(k) AS n FROM (
             SELECT ${vk} AS k FROM ${rows.sql} AND sign = 1 AND ${fromRows}
             UNION ALL ${events} AND session_id = '')`
        : `SELECT uniqExact(k) AS n FROM (${events})`,
      { ...w.params, ...rows.params },
    );
    conversions = row?.n;
  }
  // Filtered, every count is the sample's, scaled like the visits.
  const rolled = filtered
    ? Object.fromEntries(
        Object.entries({ n_visitors, n_pageviews, n_events }).map(([k, v]) => [k, scaled(v, q.sample)]),
      )
    : counts;
  return withRollupCounts({ ...shape, ...(q.goal ? { conversions } : {}) }, rolled, q.sample);
}

/**
 * Visitors, pageviews and events from the rollups; the visits and their shape (bounces, duration, pageviews per
 * visit) and the conversions from the events, grouped by visit — one pass, over a sample for large ranges. The
 * conversions ride along in that pass (as the exact path counts them: visitors of a visit that reached a goal),
 * so page goals cost nothing extra and stay as accurate as the visits.
 */
async function fromRollups(q: StatsQuery): Promise<Record<string, unknown> | undefined> {
  // Filtered, the visits' shape is that of whole visits holding a matching event: the events answer it all.
  if (q.filter.sql !== '') return undefined;
  const counts = await rollupCounts(q);
  if (!counts) return undefined;
  const w = whereOf(q);
  // With goals, events without a visit count too (each on its own); without, only visits are needed.
  const [visits] = await runStats<Record<string, unknown>>(
    q,
    `SELECT countIf(sid != 0) AS visits, countIf(sid != 0 AND pv = 1 AND ev = 1) AS bounces,
            sumIf(dur, sid != 0) AS duration_sum, sumIf(pv, sid != 0) AS visit_pageviews
            ${q.goal ? ', uniqExactIf(vk, converted) AS conversions' : ''}
     FROM (
       SELECT ${SESSION_KEY} AS sid, ${visitShapeColumns('')}
              ${q.goal ? `, any(${visitorKeyOf(q.sample)}) AS vk, max(${q.goal.sql}) AS converted` : ''}
       FROM events${sampleClause(q.sample)} WHERE ${w.where}${q.goal ? '' : " AND session_id != ''"}
       GROUP BY sid${q.goal ? ", if(sid = 0, event_id, toUUIDOrZero(''))" : ''}
     )`,
    w.params,
  );
  return withRollupCounts(visits, counts, q.sample);
}

async function totals(q: StatsQuery, range?: TimeRange): Promise<OverviewNumbers> {
  const ranged = range ? { ...q, range } : q;
  const rolled = (await fromVisitRows(ranged)) ?? (await fromRollups(ranged));
  const [row] = rolled
    ? [{ value: '', ...metricsOf(rolled, q.goal !== undefined) }]
    : await aggregate(q, "''", { range, byTime: true });
  const metrics: Metrics = row
    ? (({ value: _value, ...m }) => m)(row)
    : { ...EMPTY_METRICS, ...(q.goal ? { conversions: 0, conversion_rate: 0 } : {}) };
  return { ...metrics, sessions: metrics.visits };
}

/** The KPI numbers of a range, and of the range it is compared with when asked. */
export async function overviewQuery(q: StatsQuery, compareWith?: TimeRange): Promise<Overview> {
  if (!compareWith) return totals(q);
  // Both periods asked for at once: the store runs their passes between the page's other calls, instead of the
  // compared period's after everything else.
  const [results, before] = await Promise.all([totals(q), totals(q, compareWith)]);
  return {
    ...results,
    comparison: {
      from: new Date(compareWith.startMs).toISOString(),
      to: new Date(compareWith.endMs).toISOString(),
      results: before,
      change: changeOf(results, before),
    },
  };
}
