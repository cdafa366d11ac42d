/**
 * What Grafana and its ClickHouse data source (grafana-clickhouse-datasource 4.x) do to a panel's SQL before
 * ClickHouse sees it, for the tests of deploy/grafana/dashboards:
 *
 * 1. the plugin's frontend replaces `$__conditionalAll(condition, $var)` by `1=1` when the variable is "All";
 * 2. Grafana interpolates template variables (`${var:sqlstring}`, `${var}`, `$var`; the plugin's own format for
 *    a plain multi-value `${var}` is `'a','b'`);
 * 3. the plugin's backend expands its macros (pkg/macros/macros.go): `$__timeFilter(col)` →
 *    `col >= toDateTime(<from s>) AND col <= toDateTime(<to s>)`, `$__timeInterval(col)` →
 *    `toStartOfInterval(toDateTime(col), INTERVAL <n> second)`, `$__fromTime` → `toDateTime(<from s>)`, …
 */

export interface TimeRange {
  /** Epoch milliseconds. */
  from: number;
  to: number;
  /** The panel's interval (Grafana derives it from the range and the panel's width), in seconds. */
  intervalSeconds: number;
}

/** A variable's selection: values, or every value ("All", which `$__conditionalAll` turns into `1=1`). */
export interface Selection {
  values: string[];
  all: boolean;
}

/** Arguments of a macro call starting at `open` (the index of its "("), split on top-level commas. */
function macroArgs(sql: string, open: number): { args: string[]; end: number } {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        args.push(sql.slice(start, i));
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  throw new Error(`unclosed macro call at ${open}: ${sql.slice(open, open + 60)}`);
}

export function applyConditionalAll(sql: string, vars: ReadonlyMap<string, Selection>): string {
  const macro = '$__conditionalAll(';
  let out = sql;
  for (let at = out.lastIndexOf(macro); at !== -1; at = out.lastIndexOf(macro)) {
    const { args, end } = macroArgs(out, at + macro.length - 1);
    if (args.length !== 2) throw new Error(`$__conditionalAll takes 2 arguments: ${out.slice(at, end)}`);
    const name = /\$\{?(\w+)/.exec(args[1].trim())?.[1] ?? '';
    const selection = vars.get(name);
    if (!selection) throw new Error(`$__conditionalAll names an unknown variable "${args[1].trim()}"`);
    const phrase = selection.all || selection.values.length === 0 ? '1=1' : args[0];
    out = out.slice(0, at) + phrase + out.slice(end);
  }
  return out;
}

const sqlString = (v: string) => `'${v.replaceAll("'", "''")}'`;

export function interpolate(sql: string, vars: ReadonlyMap<string, Selection>): string {
  return sql.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (whole, braced, format, bare) => {
    const name = (braced ?? bare) as string;
    if (name.startsWith('__')) return whole;
    const selection = vars.get(name);
    if (!selection) throw new Error(`unknown template variable ${whole}`);
    const values = selection.values;
    if (format === 'sqlstring') return values.map(sqlString).join(',');
    if (format === 'singlequote') return values.map((v) => `'${v.replaceAll("'", "\\'")}'`).join(',');
    if (format !== undefined && format !== 'raw') throw new Error(`format ${format} not emulated (${whole})`);
    return values.length === 1 ? values[0] : `'${values.join("','")}'`;
  });
}

export function expandMacros(sql: string, range: TimeRange): string {
  const fromS = Math.floor(range.from / 1000);
  const toS = Math.floor(range.to / 1000);
  const date = (ms: number) => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;
  const interval = Math.max(1, Math.floor(range.intervalSeconds));
  const oneArg = (name: string, args: string[]) => {
    if (args.length !== 1) throw new Error(`$__${name} takes 1 argument, got ${args.length}`);
    return args[0].trim();
  };
  const expand: Record<string, (args: string[]) => string> = {
    fromTime: () => `toDateTime(${fromS})`,
    toTime: () => `toDateTime(${toS})`,
    fromTime_ms: () => `fromUnixTimestamp64Milli(${range.from})`,
    toTime_ms: () => `fromUnixTimestamp64Milli(${range.to})`,
    timeFilter: (a) => {
      const c = oneArg('timeFilter', a);
      return `${c} >= toDateTime(${fromS}) AND ${c} <= toDateTime(${toS})`;
    },
    timeFilter_ms: (a) => {
      const c = oneArg('timeFilter_ms', a);
      return `${c} >= fromUnixTimestamp64Milli(${range.from}) AND ${c} <= fromUnixTimestamp64Milli(${range.to})`;
    },
    dateFilter: (a) => {
      const c = oneArg('dateFilter', a);
      return `${c} >= ${date(range.from)} AND ${c} <= ${date(range.to)}`;
    },
    timeInterval: (a) =>
      `toStartOfInterval(toDateTime(${oneArg('timeInterval', a)}), INTERVAL ${interval} second)`,
    timeInterval_ms: (a) =>
      `toStartOfInterval(toDateTime64(${oneArg('timeInterval_ms', a)}, 3), INTERVAL ${interval * 1000} millisecond)`,
    interval_s: () => String(interval),
  };
  let out = '';
  let rest = sql;
  for (let m = /\$__(\w+)/.exec(rest); m; m = /\$__(\w+)/.exec(rest)) {
    const name = m[1];
    const fn = expand[name];
    if (!fn) throw new Error(`macro $__${name} is not one of the ClickHouse data source's`);
    const after = m.index + m[0].length;
    let args: string[] = [];
    let end = after;
    if (rest[after] === '(') ({ args, end } = macroArgs(rest, after));
    out += rest.slice(0, m.index) + fn(args);
    rest = rest.slice(end);
  }
  return out + rest;
}

/** The three steps in Grafana's order. */
export function panelSql(rawSql: string, vars: ReadonlyMap<string, Selection>, range: TimeRange): string {
  return expandMacros(interpolate(applyConditionalAll(rawSql, vars), vars), range);
}
