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

/**
 * (alias, aggregate) pairs. An alias must not be a column of the rows read: within the statement it would stand for
 * the sum inside the other parts' sums (ClickHouse resolves aliases first), hence the visit rows' `n_` names.
 */
export type Columns = ReadonlyArray<readonly [string, string]>;

/**
 * A grouped part: one grouping set per key, the top rows of each — the cards (a set per dimension), the chart (a
 * set of buckets). Its rows say which key they are of by `dim`, the key's index.
 */
export interface GroupedPart {
  /** One grouping key per set, an expression (fixed text, never request input). */
  keys: readonly string[];
  columns: Columns;
  /**
   * How a set's rows are ranked, over the aliases (`n_visitors DESC, n_events DESC`); the key's value breaks ties.
   * None: the part takes all its rows (`limit` holds them), in any order.
   */
  order?: string;
  /**
   * Which rows to keep, over the aliases: `dim` is the expression of the part's own key index, `value` that of the
   * key's value (named apart from the rows' columns: the rollups have a `value` their sums may read).
   */
  having: (dim: string, value: string) => string;
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
  groups: Array<Waiting<Record<string, unknown>[]> & { part: GroupedPart }>;
}

/** The passes whose statement is not made yet, per store, by the rows they read. */
const waiting = new WeakMap<object, Map<string, Pass>>();

const select = (columns: Columns) => columns.map(([alias, sum]) => `${sum} AS ${alias}`).join(', ');

/** `multiIf` over the keys' sets (`grouping(d<i>) = 0` in the set of `d<i>`), `otherwise` in the `()` set. */
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
    ...pass.groups.map((g) => g.part.columns),
    ...pass.totals.map((part) => part.columns),
  ]);
  if (!columns) throw new Error('shared pass: parts naming different sums alike were joined');
  return columns;
}

const paramsOf = (pass: Pass): QueryParams =>
  Object.assign(
    {},
    pass.params,
    ...pass.totals.map((part) => part.params),
    ...pass.groups.map((g) => g.part.params),
  );

/** Where each grouped part's keys start among the statement's (`d<i>`). */
function bases(pass: Pass): number[] {
  let next = 0;
  return pass.groups.map((g) => {
    const at = next;
    next += g.part.keys.length;
    return at;
  });
}

/** The statement's name for a key's value; the rows handed back name it `value`. */
const KEY_VALUE = 'pass_value';

/** A grouped part read alone keeps its own offset; joined, every part's is 0 (`joins`). */
const alone = (pass: Pass) => pass.groups.length === 1 && pass.totals.length === 0;

function statementOf(pass: Pass): { sql: string; params: QueryParams } {
  const columns = passColumns(pass);
  if (pass.groups.length === 0)
    return { sql: `SELECT ${select(columns)} FROM ${pass.rows}`, params: paramsOf(pass) };
  const keys = pass.groups.flatMap((g) => g.part.keys);
  const n = keys.length;
  const totals = pass.totals.length > 0;
  const at = bases(pass);
  const kept = pass.groups.map(({ part }, i) => {
    const end = at[i] + part.keys.length;
    return `(dim >= ${at[i]} AND dim < ${end} AND (${part.having(at[i] === 0 ? 'dim' : `(dim - ${at[i]})`, KEY_VALUE)}))`;
  });
  const sets = [...keys.map((k, i) => `(${k} AS d${i})`), ...(totals ? ['()'] : [])];
  const order = pass.groups.map((g) => g.part.order).find((o) => o !== undefined);
  const single = alone(pass) ? pass.groups[0].part : undefined;
  return {
    sql: `SELECT ${bySet(n, String, totals ? String(n) : '0')} AS dim,
            ${bySet(n, (i) => `d${i}`, totals ? "''" : 'd0')} AS ${KEY_VALUE}, ${select(columns)}
     FROM ${pass.rows}
     GROUP BY GROUPING SETS (${sets.join(', ')})
     HAVING ${[...(totals ? [`dim = ${n}`] : []), ...kept].join(' OR ')}
     ORDER BY dim, ${order ? `${order}, ` : ''}${KEY_VALUE}
     LIMIT {limit:UInt32} OFFSET {offset:UInt32} BY dim`,
    params: {
      ...paramsOf(pass),
      limit: single ? single.limit : Math.max(...pass.groups.map((g) => g.part.limit)),
      offset: single ? single.offset : 0,
    },
  };
}

/** A one-row part's row: its own columns only, zero when no row was read (as a query without GROUP BY answers). */
function totalsRow(columns: Columns, row: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(columns.map(([alias]) => [alias, row?.[alias] ?? 0]));
}

function settle(pass: Pass, rows: Record<string, unknown>[]): void {
  const { totals, groups } = pass;
  const n = groups.reduce((sum, g) => sum + g.part.keys.length, 0);
  // Alone, the one-row parts read a statement without GROUP BY: its only row.
  const row = groups.length > 0 ? rows.find((r) => Number(r.dim) === n) : rows[0];
  for (const part of totals) part.resolve(totalsRow(part.columns, row));
  const at = bases(pass);
  for (const [i, group] of groups.entries()) {
    const { keys, limit } = group.part;
    const taken = new Map<number, number>();
    const own: Record<string, unknown>[] = [];
    for (const r of rows) {
      const dim = Number(r.dim) - at[i];
      if (dim < 0 || dim >= keys.length) continue;
      // Joined, the statement keeps the largest part's count of rows per set: this part keeps its own.
      const count = taken.get(dim) ?? 0;
      if (count >= limit) continue;
      taken.set(dim, count + 1);
      const { [KEY_VALUE]: value, ...sums } = r;
      own.push({ ...sums, dim, value });
    }
    group.resolve(own);
  }
}

/** Whether the parameters named in both have the same values. */
function agree(a: QueryParams, b: QueryParams): boolean {
  return Object.keys(b).every((k) => !(k in a) || JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/**
 * Whether `part` may join `pass`: the same sums under the same names with the same parameters, the grouped parts
 * ranked alike (or one taking all its rows), no offset but a part's read alone.
 */
function joins(pass: Pass, part: { totals?: Columns; extra?: QueryParams; group?: GroupedPart }): boolean {
  const groups = [...pass.groups.map((g) => g.part), ...(part.group ? [part.group] : [])];
  const totals = pass.totals.length > 0 || part.totals !== undefined;
  if ((groups.length > 1 || totals) && groups.some((g) => g.offset !== 0)) return false;
  if (new Set(groups.map((g) => g.order).filter((o) => o !== undefined)).size > 1) return false;
  if (!agree(paramsOf(pass), part.extra ?? part.group?.params ?? {})) return false;
  const lists = [
    ...groups.map((g) => g.columns),
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
  part: { totals?: Columns; extra?: QueryParams; group?: GroupedPart },
): { pass: Pass; start: () => void } {
  let passes = waiting.get(q.store);
  if (!passes) {
    passes = new Map();
    waiting.set(q.store, passes);
  }
  // The rows as read, however the callers laid out their text, with the values of the parameters it names (a
  // caller's others — its goals' — go with its sums).
  const named = Object.keys(params)
    .filter((name) => rows.includes(`{${name}:`))
    .sort()
    .map((name) => [name, params[name]]);
  const key = `${rows.replace(/\s+/g, ' ').trim()}\u0000${JSON.stringify(named)}`;
  const open = passes.get(key);
  if (open && agree(paramsOf(open), params) && joins(open, part)) {
    Object.assign(open.params, params);
    return { pass: open, start: () => {} };
  }
  const pass: Pass = { rows, params: { ...params }, totals: [], groups: [] };
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
        for (const group of pass.groups) group.reject(err);
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

/**
 * The grouped rows over `rows` (`<table> … WHERE …`, with `params`): `dim` (the index of the part's key), `value`
 * and `part.columns`.
 */
export function passGroups(
  q: StatsQuery,
  rows: string,
  params: QueryParams,
  part: GroupedPart,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const { pass, start } = passFor(q, rows, params, { group: part });
    pass.groups.push({ part, resolve, reject });
    start();
  });
}
