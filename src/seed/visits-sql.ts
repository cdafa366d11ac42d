/**
 * The visits of the planned days as a SELECT over `numbers_mt`: one row per visit, every choice a few bits of
 * `cityHash64(seed, visit, salt)` indexing a table from `tables.ts`. The events, profiles and fan-out statements all
 * start from these rows.
 */

import { dayColumns, dayIndex } from './day-index.ts';
import { PAGE_BITS, PICK, PICK_BITS } from './pick-tables.ts';
import type { SeedDay } from './plan.ts';
import { bits, ints, pick, str, strs } from './sql-literals.ts';
import type { SeedTables } from './tables.ts';
import { OUTBOUND_URLS } from './world.ts';

export interface SeedSqlOptions {
  project: string;
  seed: number;
  tables: SeedTables;
  /** Gaps between a returning visitor's visits, in visits. */
  returnGaps: number[];
  /** Nothing later than this instant (ms) is written: seeded data never lies in the future. */
  capMs: number;
  /** Event types that update user profiles; empty: all (as SIGHTLINE_PROFILE_EVENT_TYPES). */
  profileTypes: readonly string[];
}

/** Event types by kind: 1 page view, 2 outbound click, 3 download, then the funnel's own events. */
export function kinds(t: SeedTables): string[] {
  const out = ['pageview', 'outbound', 'file_download'];
  for (const type of t.tailTypes) if (!out.includes(type)) out.push(type);
  return out;
}

/**
 * What a visit is, as columns: who (visitor, device, country, locale), when (`start_ms`, `step` between its events),
 * from where (`src`), and its shape (ordinary pages, funnel depth, extra event). Every event, session and profile
 * row of the visit follows from these.
 */
export const VISIT_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['s', 'UInt64'],
  ['start_ms', 'Int64'],
  ['step', 'UInt32'],
  ['src', 'UInt16'],
  ['ci', 'UInt16'],
  ['ai', 'UInt16'],
  ['locale_i', 'UInt16'],
  ['uid', 'String'],
  ['sid', 'String'],
  ['vid', 'UInt64'],
  ['n_base', 'UInt64'],
  ['funnel', 'UInt8'],
  ['extra', 'UInt8'],
  ['has_extra', 'UInt64'],
  ['n_events', 'UInt64'],
  ['landing', 'UInt16'],
  ['plan', 'UInt8'],
  ['yearly', 'UInt8'],
  ['method', 'UInt8'],
  ['link', 'UInt8'],
];

/** The tables every statement of a run shares (`WITH … AS NAME`), whichever days it writes. */
export function runTables(o: SeedSqlOptions): string[] {
  const t = o.tables;
  const json = (s: string) => JSON.stringify(s);
  const kindNames = kinds(t);
  return [
    `${ints(t.sourcePick)} AS SOURCE_PICK`,
    `${ints(t.bounceDesktop)} AS BOUNCE_DESKTOP`,
    `${ints(t.bounceMobile)} AS BOUNCE_MOBILE`,
    `${ints(t.signup)} AS SIGNUP`,
    `${ints(t.clockWeekday)} AS CLOCK_WEEKDAY`,
    `${ints(t.clockWeekend)} AS CLOCK_WEEKEND`,
    `${ints(o.returnGaps)} AS RETURN_GAPS`,
    `${ints(t.countryPick)} AS COUNTRY_PICK`,
    `${ints(t.agentPick)} AS AGENT_PICK`,
    `${ints(t.agentMobile)} AS AGENT_MOBILE`,
    `${ints(t.morePages)} AS MORE_PAGES`,
    `${ints(t.extraPick)} AS EXTRA_PICK`,
    `${ints(t.stepMs)} AS STEP_MS`,
    `${ints(t.tailLength)} AS TAIL_LENGTH`,
    `${ints(t.tailPages)} AS TAIL_PAGES`,
    `${ints(t.tailTypes.map((type) => kindNames.indexOf(type) + 1))} AS TAIL_KINDS`,
    `${ints(t.landing)} AS LANDING`,
    `${ints(t.browse)} AS BROWSE`,
    `${ints(t.planPick)} AS PLAN_PICK`,
    `${ints(t.methodPick)} AS METHOD_PICK`,
    `${strs(t.paths)} AS PATHS`,
    `${strs(t.titles.map(json))} AS TITLE_JSON`,
    `${strs(t.titles.map((title) => JSON.stringify({ title })))} AS PAGEVIEW_PROPS`,
  ];
}

/** The visits of `days` (their `WITH` tables and a SELECT of VISIT_COLUMNS and helpers, one row per visit). */
export function visitsSql(days: readonly SeedDay[], o: SeedSqlOptions): { withs: string[]; select: string } {
  const t = o.tables;
  const seed = String(o.seed);
  const index = dayIndex(days.map((d) => d.visits));
  const withs = [...index.withs, ...dayColumns(days), ...runTables(o)];
  const select = `
      SELECT
        ${index.dayOf('number')} AS di, ${days[0].firstVisit} + number AS s,
        DAY_START[di] AS midnight, DAY_WEEKEND[di] AS weekend,
        cityHash64(${seed}, s, 1) AS h1, cityHash64(${seed}, s, 2) AS h2,
        cityHash64(${seed}, s, 3) AS h3, cityHash64(${seed}, s, 4) AS h4,
        if(${bits('h3', 32, PICK_BITS)} < DAY_SPIKE[di], DAY_SPIKE_SOURCE[di], ${pick('SOURCE_PICK', 'h1', 0)}) AS src,
        -- The k-th of the day's n visits starts at the (k + jitter)/n quantile of the daily curve (16 fraction bits).
        intDiv(((number - DAY_FIRST[di]) * 65536 + ${bits('h1', 24, 16)}) * ${PICK}, DAY_FIRST[di + 1] - DAY_FIRST[di]) AS q,
        1 + bitShiftRight(q, 16) AS b,
        if(weekend = 1, CLOCK_WEEKEND[b], CLOCK_WEEKDAY[b]) AS clock_from,
        if(weekend = 1, CLOCK_WEEKEND[b + 1], CLOCK_WEEKDAY[b + 1]) AS clock_to,
        toInt64(midnight + clock_from + intDiv((clock_to - clock_from) * bitAnd(q, 65535), 65536)) AS start_ms,
        ${pick('RETURN_GAPS', 'h3', 12)} AS gap,
        ${bits('h1', 52, PICK_BITS)} < ${t.returningThreshold} AND s >= gap AS returning,
        toUInt64(if(s >= gap, s - gap, 0)) AS earlier,
        if(returning, if(${bits('h3', 24, 8)} < ${t.loyalThreshold}, intDiv(earlier, ${t.loyalEvery}) * ${t.loyalEvery}, earlier), s) AS v,
        cityHash64(${seed}, v, 7) AS hv,
        ${pick('COUNTRY_PICK', 'hv', 0)} AS ci,
        ${pick('AGENT_PICK', 'hv', 12)} AS ai,
        if(${bits('hv', 24, PICK_BITS)} < ${t.englishThreshold} AND ci != ${t.usIndex}, 1, 1 + ci) AS locale_i,
        -- Ids count up with the visitor and the visit, which keeps the profile and session tables' sorting cheap.
        concat(leftPad(lower(hex(v)), 8, '0'), substring(lower(hex(hv)), 1, 8)) AS visitor_key,
        -- Most visitors are anonymous; the signed-in few (customers of the app) send their user id, and only they
        -- have a profile, as on a real site.
        if(${bits('hv', 40, PICK_BITS)} < ${t.signedInThreshold}, visitor_key, '') AS uid,
        concat(leftPad(lower(hex(s)), 8, '0'), substring(lower(hex(h4)), 1, 8)) AS sid,
        cityHash64(${str(o.project)}, visitor_key) AS vid,
        ${bits('h1', 40, PICK_BITS)} < if(AGENT_MOBILE[ai] = 1, BOUNCE_MOBILE[src], BOUNCE_DESKTOP[src]) AS bounce,
        toUInt64(if(bounce, 1, 2 + ${pick('MORE_PAGES', 'h2', 0)})) AS n_base,
        if(bounce OR ${bits('h2', 12, PICK_BITS)} >= SIGNUP[src], 0,
          1 + if(${bits('h2', 24, PICK_BITS)} >= ${t.funnelContinue[0]}, 0,
          1 + if(${bits('h2', 36, PICK_BITS)} >= ${t.funnelContinue[1]}, 0,
          1 + (${bits('h2', 48, PICK_BITS)} < ${t.funnelContinue[2]})))) AS funnel,
        if(bounce, 0, ${pick('EXTRA_PICK', 'h3', 0)}) AS extra,
        toUInt64(extra > 0) AS has_extra,
        n_base + has_extra + TAIL_LENGTH[funnel + 1] AS n_events,
        ${pick('STEP_MS', 'h3', 44)} AS step,
        ${pick('LANDING', 'h4', 0, PAGE_BITS)} AS landing,
        PLAN_PICK[1 + ${bits('h4', 13, 8)}] AS plan,
        ${bits('h4', 21, PICK_BITS)} < ${t.yearlyThreshold} AS yearly,
        METHOD_PICK[1 + ${bits('h4', 33, 8)}] AS method,
        1 + ${bits('h4', 41, 8)} % ${OUTBOUND_URLS.length} AS link
      FROM numbers_mt(${index.rows})`;
  return { withs, select };
}

/** When the `e`-th event (0-based) of a visit happens, in ms: steps apart, each a little later than its slot. */
export function eventTime(seed: number, e: string): string {
  return `(start_ms + (${e}) * step + intDiv(${bits(`cityHash64(${seed}, s, 1000 + (${e}))`, 0, PICK_BITS)} * step * 9, 40960))`;
}
