/**
 * Which tables the agent captures and which columns it never sends.
 *
 * - `include` / `exclude`: `db.table` globs (`*` any run of characters, `?` one); no include means every table;
 *   an exclude always wins.
 * - `excludeColumns`: `db.table.column` globs; shorter forms match the trailing parts, so `password` is
 *   `*.*.password` and `users.ssn` is `*.users.ssn` (what a password hash or a national id column needs).
 * - MySQL's own schemas (mysql, information_schema, performance_schema, sys) are skipped unless an include names
 *   the schema literally (`mysql.*`).
 */

const SYSTEM_SCHEMAS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

export class FilterSyntaxError extends Error {}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

interface TablePattern {
  text: string;
  db: RegExp;
  table: RegExp;
  /** The schema part without wildcards (includes that name a system schema this way opt into it). */
  literalDb?: string;
}

function tablePattern(text: string, flag: string): TablePattern {
  const parts = text.split('.');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
    throw new FilterSyntaxError(
      `${flag} "${text}" must be db.table (globs allowed: shop.*, *.audit_log, shop.order_?)`,
    );
  return {
    text,
    db: globToRegExp(parts[0]),
    table: globToRegExp(parts[1]),
    literalDb: /[*?]/.test(parts[0]) ? undefined : parts[0],
  };
}

interface ColumnPattern {
  text: string;
  parts: RegExp[];
}

function columnPattern(text: string): ColumnPattern {
  const parts = text.split('.');
  if (parts.length > 3 || parts.some((p) => p === ''))
    throw new FilterSyntaxError(
      `--exclude-columns "${text}" must be column, table.column or db.table.column (globs allowed: *.users.password)`,
    );
  while (parts.length < 3) parts.unshift('*');
  return { text, parts: parts.map(globToRegExp) };
}

export interface TableFilterOptions {
  include?: readonly string[];
  exclude?: readonly string[];
  excludeColumns?: readonly string[];
}

export class TableFilter {
  readonly #include: TablePattern[];
  readonly #exclude: TablePattern[];
  readonly #columns: ColumnPattern[];
  readonly #tableCache = new Map<string, boolean>();

  constructor(options: TableFilterOptions = {}) {
    this.#include = (options.include ?? []).map((p) => tablePattern(p, '--include'));
    this.#exclude = (options.exclude ?? []).map((p) => tablePattern(p, '--exclude'));
    this.#columns = (options.excludeColumns ?? []).map(columnPattern);
  }

  /** Whether changes of `db.table` are captured. */
  includes(db: string, table: string): boolean {
    const key = `${db}\0${table}`;
    let verdict = this.#tableCache.get(key);
    if (verdict === undefined) {
      verdict = this.#decide(db, table);
      this.#tableCache.set(key, verdict);
    }
    return verdict;
  }

  #decide(db: string, table: string): boolean {
    const matches = (p: TablePattern) => p.db.test(db) && p.table.test(table);
    if (this.#exclude.some(matches)) return false;
    if (SYSTEM_SCHEMAS.has(db)) return this.#include.some((p) => p.literalDb === db && matches(p));
    return this.#include.length === 0 || this.#include.some(matches);
  }

  /** Whether statements about a whole database (CREATE/ALTER/DROP DATABASE) concern what is captured. */
  includesDatabase(db: string): boolean {
    if (this.#exclude.some((p) => p.db.test(db) && p.table.source === '^.*$')) return false;
    if (SYSTEM_SCHEMAS.has(db)) return this.#include.some((p) => p.literalDb === db);
    return this.#include.length === 0 || this.#include.some((p) => p.db.test(db));
  }

  /** The reason a table is not captured, for error messages (undefined when it is). */
  whyExcluded(db: string, table: string): string | undefined {
    if (this.includes(db, table)) return undefined;
    const hit = this.#exclude.find((p) => p.db.test(db) && p.table.test(table));
    if (hit) return `it matches --exclude ${hit.text}`;
    if (SYSTEM_SCHEMAS.has(db)) return `${db} is a system schema (include it by name: --include ${db}.*)`;
    return `it matches none of --include ${this.#include.map((p) => p.text).join(',')}`;
  }

  /** Whether a column is dropped from `data` and `old`. */
  dropsColumn(db: string, table: string, column: string): boolean {
    return this.#columns.some(
      (p) => p.parts[0].test(db) && p.parts[1].test(table) && p.parts[2].test(column),
    );
  }

  get dropsAnyColumn(): boolean {
    return this.#columns.length > 0;
  }
}
