/**
 * What SQL from outside (the ClickHouse-compatible endpoint, Explore) may do, decided on tokens (sql-tokens.ts).
 *
 * The engine enforces read-only itself: such reads run in a connection with `readonly = 1` (store.ts), which refuses
 * writes, DDL, SYSTEM, the table functions `file`/`url`/… and any top-level change of settings. What the engine does
 * not stop, checked in chDB 26.7, is refused here:
 *
 * - a subquery's own `SETTINGS readonly = 0` (or `allow_introspection_functions = 1`, …) is applied without the
 *   readonly check, and lifts it for that subquery: no SETTINGS clause at all;
 * - the string function `file(path)` (and other functions that read the host) and `INTO OUTFILE` work under
 *   `readonly = 1`, as does `KILL QUERY`;
 * - `readonly` does not hide tables: credentials, sessions, share links and alert targets are not readable, nor
 *   system tables that show other callers' queries, users or server configuration.
 *
 * A read is one statement from an allow-list (SELECT, WITH, SHOW …, DESCRIBE, EXISTS, EXPLAIN); functions are refused
 * by name wherever the name is followed by `(` — bare, backquoted, double-quoted or in Unicode quotes, any case.
 * The names it decides by are listed in sql-guard-names.ts.
 */
import { OUTSIDE_FUNCTIONS, READABLE_SYSTEM_TABLES, SECRET_TABLES } from './sql-guard-names.ts';
import { isKeyword, isName, isPunct, SqlSyntaxError, type Token, tokenize } from './sql-tokens.ts';

export type Refusal =
  /** Not well-formed: an open string or comment, a backslash-escaped name. */
  | 'SYNTAX'
  /** More than one statement. */
  | 'MULTI_STATEMENT'
  /** Not a read. */
  | 'READONLY'
  /** Reaches outside the store: a file, a URL, another server, a program. */
  | 'OUTSIDE'
  /** Would change settings. */
  | 'SETTINGS'
  /** Names a table that holds secrets, or a system table that is not readable. */
  | 'TABLE';

export class SqlRefused extends Error {
  readonly reason: Refusal;
  constructor(reason: Refusal, message: string) {
    super(message);
    this.reason = reason;
  }
}

const READS = ['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN'];
/** What `SHOW` may list: databases, tables and their columns and definitions, engines and functions. */
const SHOW_WHAT = [
  'DATABASES',
  'TABLES',
  'COLUMNS',
  'FIELDS',
  'DICTIONARIES',
  'INDEX',
  'INDEXES',
  'INDICES',
  'KEYS',
  'ENGINES',
  'FUNCTIONS',
  'CREATE',
];
/** `SHOW CREATE …` of access entities (users, roles, quotas, policies, profiles, collections) is not a read here. */
const SHOW_CREATE_REFUSED = [
  'USER',
  'USERS',
  'ROLE',
  'ROLES',
  'ROW',
  'POLICY',
  'POLICIES',
  'QUOTA',
  'QUOTAS',
  'SETTINGS',
  'PROFILE',
  'PROFILES',
  'NAMED',
  'MASKING',
];

export interface Statement {
  /** The statement as it will run: without trailing `;` (or, for an INSERT with inline data, the whole text). */
  sql: string;
  tokens: Token[];
  /** The first keyword, upper case (`SELECT`, `INSERT`, …). */
  keyword: string;
  /** The output or input format the statement names at its end (`FORMAT JSONEachRow`). */
  format?: string;
  /** Where the inline data of an `INSERT … FORMAT x` starts; that data is not read as SQL. */
  dataStart?: number;
}

/** After `INSERT … FORMAT name` comes data (except for Values, whose rows are expressions). */
function atInsertData(tokens: readonly Token[]): boolean {
  const n = tokens.length;
  return (
    n >= 3 &&
    isKeyword(tokens[0], 'INSERT') &&
    isKeyword(tokens[n - 2], 'FORMAT') &&
    tokens[n - 1].kind === 'word' &&
    tokens[n - 1].value.toLowerCase() !== 'values'
  );
}

/** One statement, tokenised. Refuses unclosed strings/comments and a second statement after a `;`. */
export function parseStatement(sql: string): Statement {
  let tokens: Token[];
  try {
    tokens = tokenize(sql, atInsertData);
  } catch (err) {
    if (err instanceof SqlSyntaxError) throw new SqlRefused('SYNTAX', err.message);
    throw err;
  }
  const formatEnd = atInsertData(tokens) ? tokens[tokens.length - 1].end : undefined;
  const dataStart = formatEnd !== undefined && sql.slice(formatEnd).trim() !== '' ? formatEnd : undefined;
  const semicolon = tokens.findIndex((t) => isPunct(t, ';'));
  let text = sql;
  if (semicolon !== -1) {
    if (tokens.slice(semicolon).some((t) => !isPunct(t, ';')))
      throw new SqlRefused('MULTI_STATEMENT', 'Multi-statements are not allowed');
    text = sql.slice(0, tokens[semicolon].start);
    tokens = tokens.slice(0, semicolon);
  }
  const first = tokens.find((t) => !isPunct(t, '('));
  const keyword = first?.kind === 'word' ? first.value.toUpperCase() : '';
  const n = tokens.length;
  const format =
    n >= 2 && isKeyword(tokens[n - 2], 'FORMAT') && tokens[n - 1].kind === 'word'
      ? tokens[n - 1].value
      : undefined;
  return { sql: dataStart === undefined ? text : sql, tokens, keyword, format, dataStart };
}

/** Refuses what reaches outside the store, for any caller, writers included: host functions, OUTFILE/INFILE. */
export function refuseOutsideReach(statement: Statement): void {
  const { tokens } = statement;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (isKeyword(token, 'OUTFILE', 'INFILE'))
      throw new SqlRefused(
        'OUTSIDE',
        `INTO OUTFILE / FROM INFILE (files on the server) are not available here`,
      );
    if (isName(token) && isPunct(tokens[i + 1], '(') && OUTSIDE_FUNCTIONS.has(token.value.toLowerCase()))
      throw new SqlRefused(
        'OUTSIDE',
        `${token.value}() reaches outside the store (files, URLs, other servers, the host) and is not available here`,
      );
  }
}

export type QueryParamValues = Record<string, unknown>;

/** The names a statement uses, with each `{name:Identifier}` placeholder replaced by its value. */
function names(tokens: Token[], params: QueryParamValues): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (isPunct(t, '{') && tokens[i + 1]?.kind === 'word' && isPunct(tokens[i + 2], ':')) {
      const close = tokens.findIndex((x, j) => j > i && isPunct(x, '}'));
      if (close !== -1 && tokens.slice(i + 3, close).some((x) => isKeyword(x, 'IDENTIFIER'))) {
        const value = params[tokens[i + 1].value];
        out.push({
          ...t,
          kind: 'identifier',
          value: typeof value === 'string' ? value : String(value ?? ''),
        });
        i = close;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

export interface ReadOptions {
  /** Values of `{name:Type}` placeholders (an `Identifier` can name a table). */
  params?: QueryParamValues;
  /** Only SELECT / WITH (Explore runs the statement as a subquery). */
  selectOnly?: boolean;
}

/** A statement that may run on a read-only connection, or SqlRefused saying why not. */
export function checkRead(sql: string, options: ReadOptions = {}): Statement {
  const statement = parseStatement(sql);
  const allowed = options.selectOnly ? ['SELECT', 'WITH'] : READS;
  if (statement.dataStart !== undefined || !allowed.includes(statement.keyword))
    throw new SqlRefused(
      'READONLY',
      statement.keyword === ''
        ? 'Empty query'
        : `Cannot execute ${statement.keyword} in readonly mode: only ${allowed.join(', ')} statements run here`,
    );
  const tokens = names(statement.tokens, options.params ?? {});
  if (statement.keyword === 'SHOW') {
    let at = tokens.findIndex((t) => isKeyword(t, 'SHOW')) + 1;
    while (isKeyword(tokens[at], 'FULL', 'EXTENDED', 'TEMPORARY')) at++;
    const what = tokens[at];
    if (
      !isKeyword(what, ...SHOW_WHAT) ||
      (isKeyword(what, 'CREATE') && isKeyword(tokens[at + 1], ...SHOW_CREATE_REFUSED))
    )
      throw new SqlRefused(
        'READONLY',
        `only SHOW ${SHOW_WHAT.filter((w) => w !== 'CREATE').join('/')} and SHOW CREATE TABLE run here`,
      );
  }
  refuseOutsideReach(statement);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const afterDot = isPunct(tokens[i - 1], '.');
    if (isKeyword(token, 'SETTINGS') && !afterDot)
      throw new SqlRefused(
        'SETTINGS',
        'SETTINGS clauses are not allowed on a read-only connection (a subquery’s settings could lift its limits)',
      );
    if (isKeyword(token, 'INTO')) throw new SqlRefused('READONLY', 'SELECT … INTO is not a read');
    if (token.kind === 'identifier' && token.escaped)
      throw new SqlRefused(
        'SYNTAX',
        'quoted names with backslash escapes are not accepted on a read-only connection',
      );
    if (!isName(token)) continue;
    const name = token.value.toLowerCase();
    if (SECRET_TABLES.has(name))
      throw new SqlRefused(
        'TABLE',
        `${token.value} holds credentials or delivery targets and is not readable here`,
      );
    if (name === 'system' && isPunct(tokens[i + 1], '.') && isName(tokens[i + 2])) {
      const table = tokens[i + 2].value;
      if (!READABLE_SYSTEM_TABLES.has(table.toLowerCase()))
        throw new SqlRefused('TABLE', `system.${table} is not readable here`);
    }
  }
  return statement;
}
