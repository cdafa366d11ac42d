/**
 * One pass over the visit rows for the overview's KPIs and the cards' visit dimensions. The dashboard asks for both
 * at once, and both read the same rows (scope, range, sample, filters): when the two wait for the embedded store
 * together, they are read in one `GROUPING SETS` pass, the KPIs as its `()` set — 40–50 ms less of a page at 10 M
 * events (docs/BENCHMARKS.md). A pass's statement is made only when the store is about to run it
 * (`LateStatement`), so a part that comes while the pass waits joins it. Each part gets exactly the rows and sums
 * its own query gives, and a part alone runs its own query. A ClickHouse server runs every call at once: nothing
 * waits, so nothing joins.
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
  /** Must name `n_visitors` and `n_events`, which order the rows. */
  columns: Columns;
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

interface Pass {
  /** `visits … WHERE …` and its parameters: what both parts read. */
  rows: string;
  params: QueryParams;
  totals?: Waiting<Record<string, unknown>> & { columns: Columns };
  cards?: Waiting<Record<string, unknown>[]> & { part: CardsPart };
}

/** The passes whose statement is not made yet, per store, by the rows they read. */
const waiting = new WeakMap<object, Map<string, Pass>>();

const select = (columns: Columns) => columns.map(([alias, sum]) => `${sum} AS ${alias}`).join(', ');

/** `multiIf` over the dimensions' sets (`grouping(d<i>) = 0` in the set of `d<i>`), `otherwise` in the `()` set. */
const bySet = (n: number, pick: (i: number) => string, otherwise: string) =>
  `multiIf(${Array.from({ length: n }, (_, i) => `grouping(d${i}) = 0, ${pick(i)}`).join(', ')}, ${otherwise})`;

/** The KPIs' columns beside the cards' (an alias both name must be the same sum, or they stay apart). */
function mergedColumns(cards: Columns, totals: Columns): Columns | undefined {
  const named = new Map(cards.map(([alias, sum]) => [alias, sum]));
  for (const [alias, sum] of totals) if (named.has(alias) && named.get(alias) !== sum) return undefined;
  return [...cards, ...totals.filter(([alias]) => !named.has(alias))];
}

function cardsStatement(pass: Pass, part: CardsPart, totals?: Columns): { sql: string; params: QueryParams } {
  const n = part.keys.length;
  const columns = totals ? (mergedColumns(part.columns, totals) ?? part.columns) : part.columns;
  const sets = [...part.keys.map((k) => `(${k})`), ...(totals ? ['()'] : [])];
  return {
    sql: `SELECT ${bySet(n, String, totals ? String(n) : '0')} AS dim,
            ${bySet(n, (i) => `d${i}`, totals ? "''" : 'd0')} AS value, ${select(columns)}
     FROM ${pass.rows}
     GROUP BY GROUPING SETS (${sets.join(', ')})
     HAVING ${totals ? `dim = ${n} OR ` : ''}(${part.having})
     ORDER BY dim, n_visitors DESC, n_events DESC, value
     LIMIT {limit:UInt32} OFFSET {offset:UInt32} BY dim`,
    params: { ...pass.params, ...part.params, limit: part.limit, offset: part.offset },
  };
}

function statementOf(pass: Pass): { sql: string; params: QueryParams } {
  const { totals, cards } = pass;
  if (cards) return cardsStatement(pass, cards.part, totals?.columns);
  return { sql: `SELECT ${select(totals?.columns ?? [])} FROM ${pass.rows}`, params: pass.params };
}

/** The KPIs' row: its own columns only, zero when no row was read (as a query without GROUP BY answers). */
function totalsRow(columns: Columns, row: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(columns.map(([alias]) => [alias, row?.[alias] ?? 0]));
}

function settle(pass: Pass, rows: Record<string, unknown>[]): void {
  const { totals, cards } = pass;
  if (!cards) {
    totals?.resolve(totalsRow(totals.columns, rows[0]));
    return;
  }
  if (!totals) {
    cards.resolve(rows);
    return;
  }
  const n = cards.part.keys.length;
  totals.resolve(
    totalsRow(
      totals.columns,
      rows.find((r) => Number(r.dim) === n),
    ),
  );
  cards.resolve(rows.filter((r) => Number(r.dim) !== n));
}

/** Whether `part` may join `pass` (a free place, the same sums under the same names, the KPIs' row kept). */
function joins(pass: Pass, part: { totals?: Columns; cards?: CardsPart }): boolean {
  if (part.totals) {
    if (pass.totals) return false;
    return (
      !pass.cards || (pass.cards.part.offset === 0 && !!mergedColumns(pass.cards.part.columns, part.totals))
    );
  }
  if (pass.cards || !part.cards) return false;
  return (
    !pass.totals || (part.cards.offset === 0 && !!mergedColumns(part.cards.columns, pass.totals.columns))
  );
}

/** A waiting pass over `rows` that `part` may join, or a new one (started once the part is in it). */
function passFor(
  q: StatsQuery,
  rows: string,
  params: QueryParams,
  part: { totals?: Columns; cards?: CardsPart },
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
  const pass: Pass = { rows, params };
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
        pass.totals?.reject(err);
        pass.cards?.reject(err);
      },
    );
  };
  return { pass, start };
}

/** The KPIs' sums over `rows` (`visits … WHERE …`, with `params`): one row of `columns`. */
export function visitTotals(
  q: StatsQuery,
  rows: string,
  params: QueryParams,
  columns: Columns,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const { pass, start } = passFor(q, rows, params, { totals: columns });
    pass.totals = { columns, resolve, reject };
    start();
  });
}

/** The cards' rows over `rows` (`visits … WHERE …`, with `params`): `dim`, `value` and `part.columns`. */
export function visitCards(
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
