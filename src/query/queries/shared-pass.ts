/**
 * One pass over the same rows for the page's calls that read them. The dashboard asks for the overview's KPIs, the
 * chart, the cards and the goals list at once, and several of them read the same rows (table, scope, range, sample,
 * filters): the KPIs, the goals list under a visit filter and the cards' visit dimensions read the visit rows; the
 * cards' pages and event types and, under a filter on events, the goals list read the events. When they wait for
 * the embedded store together, they are read in one `GROUPING SETS` pass, the one-row sums (KPIs, goals) as its `()`
 * set — 40–60 ms less of a page at 10 M events each (docs/BENCHMARKS.md). A pass's statement is made only when the
 * store is about to run it (`LateStatement`; the store runs the calls that cannot join before it), so a part that
 * comes while the pass waits joins it. Each part gets exactly the rows and sums its own query gives, and a part
 * alone runs its own query. A ClickHouse server runs every call at once: nothing waits, so nothing joins.
 */
import type { QueryParams } from '../../store/store.ts';
import { runStats } from '../run-stats.ts';
import type { StatsQuery } from '../stats-query.ts';

/** (alias, aggregate) pairs. */
export type Columns = ReadonlyArray<readonly [string, string]>;

/** The cards' part: one grouping set per dimension, the top rows of each. */
export interface CardsPart {
  /** One grouping key per dimension, `<expression> AS d<i>` (fixed text, never request input). */
  keys: readonly string[];
  columns: Columns;
  /** How a set's rows are ranked, over the aliases (`n_visitors DESC, n_events DESC`); `value` breaks ties. */
  order: string;
  /** Which rows to keep, over the aliases and `dim`, `value`. */
  having: string;
  limit: number;
  offset: number;
  /** Parameters the part's own text uses beyond those of the rows (the range's events for a filter). */
  params: QueryParams;
}

interface Waiting<T> {
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

/** A part of one row: sums over every row read (the KPIs, the goals list). */
interface TotalsPart extends Waiting<Record<string, unknown>> {
  columns: Columns;
  /** Parameters its sums use beyond those of the rows (each goal's). */
  params: QueryParams;
}

interface Pass {
  /** `<table> … WHERE …` and its parameters: what every part reads. */
  rows: string;
  params: QueryParams;
  totals: TotalsPart[];
  cards?: Waiting<Record<string, unknown>[]> & { part: CardsPart };
}

/** The passes whose statement is not made yet, per store, by the rows they read. */
const waiting = new WeakMap<object, Map<string, Pass>>();

const select = (columns: Columns) => columns.map(([alias, sum]) => `${sum} AS ${alias}`).join(', ');

/** `multiIf` over the dimensions' sets (`grouping(d<i>) = 0` in the set of `d<i>`), `otherwise` in the `()` set. */
const bySet = (n: number, pick: (i: number) => string, otherwise: string) =>
  `multiIf(${Array.from({ length: n }, (_, i) => `grouping(d${i}) = 0, ${pick(i)}`).join(', ')}, ${otherwise})`;

/** Columns beside columns (an alias both name must be the same sum, or they stay apart). */
function mergedColumns(first: Columns, more: Columns): Columns | undefined {
  const named = new Map(first.map(([alias, sum]) => [alias, sum]));
  for (const [alias, sum] of more) if (named.has(alias) && named.get(alias) !== sum) return undefined;
  return [...first, ...more.filter(([alias]) => !named.has(alias))];
}

/** All the lists as one, or nothing when two name different sums alike. */
function together(lists: readonly Columns[]): Columns | undefined {
  return lists.reduce<Columns | undefined>((all, list) => all && mergedColumns(all, list), []);
}

/** Every part's columns (`joins` let in only parts whose columns go together). */
function passColumns(pass: Pass): Columns {
  const columns = together([
    ...(pass.cards ? [pass.cards.part.columns] : []),
    ...pass.totals.map((part) => part.columns),
  ]);
  if (!columns) throw new Error('shared pass: parts naming different sums alike were joined');
  return columns;
}

function cardsStatement(pass: Pass, part: CardsPart): { sql: string; params: QueryParams } {
  const n = part.keys.length;
  const totals = pass.totals.length > 0;
  const columns = passColumns(pass);
  const sets = [...part.keys.map((k) => `(${k})`), ...(totals ? ['()'] : [])];
  return {
    sql: `SELECT ${bySet(n, String, totals ? String(n) : '0')} AS dim,
            ${bySet(n, (i) => `d${i}`, totals ? "''" : 'd0')} AS value, ${select(columns)}
     FROM ${pass.rows}
     GROUP BY GROUPING SETS (${sets.join(', ')})
     HAVING ${totals ? `dim = ${n} OR ` : ''}(${part.having})
     ORDER BY dim, ${part.order}, value
     LIMIT {limit:UInt32} OFFSET {offset:UInt32} BY dim`,
    params: { ...paramsOf(pass), ...part.params, limit: part.limit, offset: part.offset },
  };
}

const paramsOf = (pass: Pass): QueryParams =>
  Object.assign({}, pass.params, ...pass.totals.map((part) => part.params));

function statementOf(pass: Pass): { sql: string; params: QueryParams } {
  if (pass.cards) return cardsStatement(pass, pass.cards.part);
  return { sql: `SELECT ${select(passColumns(pass))} FROM ${pass.rows}`, params: paramsOf(pass) };
}

/** A one-row part's row: its own columns only, zero when no row was read (as a query without GROUP BY answers). */
function totalsRow(columns: Columns, row: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(columns.map(([alias]) => [alias, row?.[alias] ?? 0]));
}

function settle(pass: Pass, rows: Record<string, unknown>[]): void {
  const { totals, cards } = pass;
  const n = cards?.part.keys.length ?? 0;
  // Alone, the one-row parts read a statement without GROUP BY: its only row.
  const row = cards ? rows.find((r) => Number(r.dim) === n) : rows[0];
  for (const part of totals) part.resolve(totalsRow(part.columns, row));
  cards?.resolve(totals.length > 0 ? rows.filter((r) => Number(r.dim) !== n) : rows);
}

/** Whether the parameters named in both have the same values. */
function agree(a: QueryParams, b: QueryParams): boolean {
  return Object.keys(b).every((k) => !(k in a) || JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/**
 * Whether `part` may join `pass`: a free place, the same sums under the same names with the same parameters, the
 * `()` row kept.
 */
function joins(pass: Pass, part: { totals?: Columns; extra?: QueryParams; cards?: CardsPart }): boolean {
  const cards = part.cards ?? pass.cards?.part;
  if (part.cards && pass.cards) return false;
  if (cards && cards.offset !== 0 && (pass.totals.length > 0 || part.totals)) return false;
  const joined = { ...paramsOf(pass), ...(pass.cards?.part.params ?? {}) };
  if (!agree(joined, part.extra ?? part.cards?.params ?? {})) return false;
  const lists = [
    ...(cards ? [cards.columns] : []),
    ...pass.totals.map((p) => p.columns),
    ...(part.totals ? [part.totals] : []),
  ];
  return together(lists) !== undefined;
}

/** A waiting pass over `rows` that `part` may join, or a new one (started once the part is in it). */
function passFor(
  q: StatsQuery,
  rows: string,
  params: QueryParams,
  part: { totals?: Columns; extra?: QueryParams; cards?: CardsPart },
): { pass: Pass; start: () => void } {
  let passes = waiting.get(q.store);
  if (!passes) {
    passes = new Map();
    waiting.set(q.store, passes);
  }
  // The rows as read, however the callers laid out their text.
  const key = `${rows.replace(/\s+/g, ' ').trim()}\u0000${JSON.stringify(params)}`;
  const open = passes.get(key);
  if (open && joins(open, part)) return { pass: open, start: () => {} };
  const pass: Pass = { rows, params, totals: [] };
  const table = passes;
  table.set(key, pass);
  const start = () => {
    runStats<Record<string, unknown>>(q, () => {
      // Made now: nothing joins any more.
      if (table.get(key) === pass) table.delete(key);
      return statementOf(pass);
    }).then(
      (result) => settle(pass, result),
      (err) => {
        if (table.get(key) === pass) table.delete(key);
        for (const part of pass.totals) part.reject(err);
        pass.cards?.reject(err);
      },
    );
  };
  return { pass, start };
}

/**
 * Sums over `rows` (`<table> … WHERE …`, with `params`): one row of `columns`, whose sums may use `extra` parameters
 * of their own.
 */
export function passTotals(
  q: StatsQuery,
  rows: string,
  params: QueryParams,
  columns: Columns,
  extra: QueryParams = {},
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const { pass, start } = passFor(q, rows, params, { totals: columns, extra });
    pass.totals.push({ columns, params: extra, resolve, reject });
    start();
  });
}

/** The cards' rows over `rows` (`<table> … WHERE …`, with `params`): `dim`, `value` and `part.columns`. */
export function passCards(
  q: StatsQuery,
  rows: string,
  params: QueryParams,
  part: CardsPart,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const { pass, start } = passFor(q, rows, params, { cards: part });
    pass.cards = { part, resolve, reject };
    start();
  });
}
