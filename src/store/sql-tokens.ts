/**
 * Splits SQL into tokens the way ClickHouse's lexer does, so decisions about a statement are made on what the engine
 * will see rather than on raw text. Comments (`--`, `# `, `#!`, nested `/* *\/`) and whitespace are dropped; strings
 * ('…', $$…$$, $tag$…$tag$, ‘…’) and quoted identifiers ("…", `…`, “…”) become single tokens carrying their decoded
 * value, so a quote inside a comment or a `;` inside a string cannot mislead a check.
 *
 * Where this reading and the engine's could differ, it errs towards seeing more: any character outside ASCII is
 * taken as whitespace (the engine skips NBSP, zero-width spaces, BOM, NEL, … between a name and its `(`), and a
 * number never swallows the letters after it. Anything left open (a string, identifier or comment) is refused.
 */

export type TokenKind = 'word' | 'identifier' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Words and identifiers: the name the engine resolves (escapes decoded); strings: the decoded text; else the text. */
  value: string;
  /** The token's offsets in the statement. */
  start: number;
  end: number;
  /** A quoted identifier spelled with a backslash escape. */
  escaped?: boolean;
}

export class SqlSyntaxError extends Error {}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v']);
const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_$]/;
const HEREDOC = /^\$([A-Za-z0-9_]*)\$/;
/** Unicode quotes the engine accepts, without escapes: ‘string’ and “identifier”. */
const UNICODE_QUOTES: Record<string, { close: string; kind: TokenKind }> = {
  '\u2018': { close: '\u2019', kind: 'string' },
  '\u201c': { close: '\u201d', kind: 'identifier' },
};

const ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  a: '\x07',
  e: '\x1b',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
};

/** A '…', "…" or `…` token from `start`: backslash escapes, a doubled quote is the quote itself. */
function readQuoted(sql: string, start: number): { value: string; end: number; escaped: boolean } {
  const quote = sql[start];
  let value = '';
  let escaped = false;
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '\\') {
      escaped = true;
      const next = sql[i + 1];
      if (next === undefined) break;
      if ((next === 'x' || next === 'X') && /^[0-9A-Fa-f]{2}$/.test(sql.slice(i + 2, i + 4))) {
        value += String.fromCharCode(Number.parseInt(sql.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      // An unknown escape keeps its backslash, as the engine does (`\L` stays `\L`).
      value += ESCAPES[next] ?? `\\${next}`;
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1, escaped };
    }
    value += c;
    i++;
  }
  throw new SqlSyntaxError(`a ${quote === "'" ? 'string' : 'quoted identifier'} is not closed`);
}

/**
 * The statement's tokens. `stop` is asked after every token; when it says so, the rest of the text is not read (the
 * data of an `INSERT … FORMAT x`, which is data, not SQL).
 */
export function tokenize(sql: string, stop?: (tokens: readonly Token[]) => boolean): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    if (stop && tokens.length > 0 && stop(tokens)) return tokens;
    const c = sql[i];
    const start = i;
    if (WHITESPACE.has(c) || (c.charCodeAt(0) >= 0x80 && !UNICODE_QUOTES[c])) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
    } else if (c === '#' && (sql[i + 1] === ' ' || sql[i + 1] === '!')) {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      // Block comments nest in ClickHouse: /* a /* b */ c */ is one comment.
      let depth = 0;
      while (i < sql.length) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      if (depth !== 0) throw new SqlSyntaxError('a /* comment is not closed');
    } else if (c === "'" || c === '"' || c === '`') {
      const { value, end, escaped } = readQuoted(sql, i);
      tokens.push({ kind: c === "'" ? 'string' : 'identifier', value, start, end, escaped });
      i = end;
    } else if (UNICODE_QUOTES[c]) {
      const { close, kind } = UNICODE_QUOTES[c];
      const end = sql.indexOf(close, i + 1);
      if (end === -1) throw new SqlSyntaxError('a quoted string or identifier is not closed');
      tokens.push({ kind, value: sql.slice(i + 1, end), start, end: end + 1 });
      i = end + 1;
    } else if (c === '$' && HEREDOC.test(sql.slice(i, i + 256))) {
      const delimiter = (HEREDOC.exec(sql.slice(i, i + 256)) as RegExpExecArray)[0];
      const close = sql.indexOf(delimiter, i + delimiter.length);
      if (close === -1) throw new SqlSyntaxError(`a ${delimiter} string is not closed`);
      tokens.push({
        kind: 'string',
        value: sql.slice(i + delimiter.length, close),
        start,
        end: close + delimiter.length,
      });
      i = close + delimiter.length;
    } else if (WORD_START.test(c) || c === '$') {
      i++;
      while (i < sql.length && WORD_PART.test(sql[i])) i++;
      tokens.push({ kind: 'word', value: sql.slice(start, i), start, end: i });
    } else if (c >= '0' && c <= '9') {
      // Digits only: letters after them become a word of their own, so `1file(` still shows `file(`.
      i++;
      while (i < sql.length && /[0-9_]/.test(sql[i])) i++;
      tokens.push({ kind: 'number', value: sql.slice(start, i), start, end: i });
    } else {
      tokens.push({ kind: 'punct', value: c, start, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** A bare (unquoted) word, compared case-insensitively: keywords are only ever bare. */
export function isKeyword(token: Token | undefined, ...keywords: string[]): boolean {
  return token?.kind === 'word' && keywords.includes(token.value.toUpperCase());
}

/** A name the engine may resolve to a function, table or database: a bare word or a quoted identifier. */
export function isName(token: Token | undefined): token is Token {
  return token?.kind === 'word' || token?.kind === 'identifier';
}

export function isPunct(token: Token | undefined, value: string): boolean {
  return token?.kind === 'punct' && token.value === value;
}
