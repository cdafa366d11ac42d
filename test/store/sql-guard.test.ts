// The SQL guard on tokens: what a read-only caller may run, and every way found to hide something from a text check
// (comments, quotes, escapes, Unicode whitespace and quotes, heredocs, case, placeholders). The engine's side of each
// (that these spellings really reach `file` etc.) is in sql-guard.int.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRead, parseStatement, type Refusal, SqlRefused } from '../../src/store/sql-guard.ts';
import { tokenize } from '../../src/store/sql-tokens.ts';

function refusal(fn: () => unknown): Refusal | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof SqlRefused) return err.reason;
    throw err;
  }
}

const read = (sql: string, params?: Record<string, string>) => refusal(() => checkRead(sql, { params }));

describe('tokens', () => {
  it('drops comments (nested ones too) and keeps strings and quoted names whole', () => {
    const values = (sql: string) => tokenize(sql).map((t) => `${t.kind}:${t.value}`);
    assert.deepEqual(values('SELECT /* a /* b */ ; */ \'x;--y\' -- c ;\n, `a``b` # d ;\n, "q\\"r"'), [
      'word:SELECT',
      'string:x;--y',
      'punct:,',
      'identifier:a`b',
      'punct:,',
      'identifier:q"r',
    ]);
    assert.deepEqual(values("SELECT $$a'b$$, $t$;$t$, ‘c’, “file”"), [
      'word:SELECT',
      "string:a'b",
      'punct:,',
      'string:;',
      'punct:,',
      'string:c',
      'punct:,',
      'identifier:file',
    ]);
    assert.deepEqual(values('SELECT `fi\\x6ce`'), ['word:SELECT', 'identifier:file']);
    // `#` starts a comment only before a space or `!` (else the engine refuses the character).
    assert.deepEqual(values('#x\n1'), ['punct:#', 'word:x', 'number:1']);
    // A `--` comment runs to a line feed only: a carriage return does not end it.
    assert.deepEqual(values('1 --c\r, 2\n3'), ['number:1', 'number:3']);
  });

  it('refuses anything left open', () => {
    for (const sql of [
      "SELECT 'a",
      'SELECT `a',
      'SELECT "a',
      'SELECT 1 /* a /* b */',
      'SELECT $x$a',
      'SELECT “a',
    ])
      assert.equal(
        refusal(() => parseStatement(sql)),
        'SYNTAX',
        sql,
      );
  });

  it('treats non-ASCII characters outside quotes as space, as the engine does between a name and its "("', () => {
    for (const space of ['\u00a0', '\u200b', '\ufeff', '\u3000', '\u2028', '\u0085'])
      assert.equal(read(`SELECT file${space}('/etc/hostname')`), 'OUTSIDE', JSON.stringify(space));
  });
});

describe('reads allowed', () => {
  for (const sql of [
    'SELECT 1',
    'select 1;',
    'SELECT 1;;',
    '(SELECT 1)',
    "WITH x AS (SELECT 1) SELECT * FROM x WHERE 'a;b' = 'a;b' -- ; DROP TABLE events",
    'SELECT count() FROM events FORMAT JSONEachRow',
    'SELECT path, count() FROM events WHERE project = {p:String} GROUP BY path',
    'SHOW TABLES',
    'SHOW DATABASES',
    'SHOW CREATE TABLE events',
    'SHOW FULL COLUMNS FROM events',
    'DESCRIBE TABLE events',
    'DESC events',
    'EXISTS TABLE events',
    'EXPLAIN SELECT 1',
    'SELECT name FROM system.tables WHERE database = currentDatabase()',
    'SELECT name, type FROM system.columns',
    'SELECT * FROM system.settings',
    'SELECT version(), timezone()',
    'SELECT * FROM numbers(10)',
    "SELECT format('{}-{}', 'a', 'b')",
    'SELECT url, domain(url) FROM (SELECT 1 AS url)',
    'SELECT file FROM (SELECT 1 AS file)',
    'SELECT * FROM {t:Identifier}',
  ])
    it(sql, () => assert.equal(read(sql, { t: 'events' }), undefined));
});

describe('reads refused', () => {
  const cases: Array<[string, Refusal, Record<string, string>?]> = [
    // Not a read, or not one statement.
    ['DROP TABLE events', 'READONLY'],
    ["INSERT INTO dashboard_users (email) VALUES ('x')", 'READONLY'],
    ['KILL QUERY WHERE 1', 'READONLY'],
    ['SYSTEM DROP DNS CACHE', 'READONLY'],
    ['ATTACH TABLE events', 'READONLY'],
    ['DETACH TABLE events', 'READONLY'],
    ['SET readonly = 0', 'READONLY'],
    ['OPTIMIZE TABLE events', 'READONLY'],
    ['SELECT 1; CREATE TABLE x (a UInt8) ENGINE = Memory', 'MULTI_STATEMENT'],
    ["SELECT 1 /* ' */; DROP TABLE events -- '", 'MULTI_STATEMENT'],
    ["SELECT 1 -- '\n; DROP TABLE events", 'MULTI_STATEMENT'],
    ["SELECT 1 # '\n; DROP TABLE events", 'MULTI_STATEMENT'],
    ['SELECT 1 /* /* */ ; */ ; SELECT 2', 'MULTI_STATEMENT'],
    ['SELECT $$;$$; SELECT 2', 'MULTI_STATEMENT'],
    ['', 'READONLY'],
    ['-- nothing', 'READONLY'],
    // Settings, at the top or in a subquery.
    ['SELECT 1 SETTINGS readonly = 0', 'SETTINGS'],
    ['SELECT * FROM (SELECT 1 SETTINGS readonly = 0)', 'SETTINGS'],
    ['SELECT * FROM (SELECT 1 settings allow_ddl = 1)', 'SETTINGS'],
    ['SELECT 1 FORMAT TSV SETTINGS max_threads = 1', 'SETTINGS'],
    // Files, URLs, other servers, programs, the host.
    ["SELECT file('/proc/self/environ')", 'OUTSIDE'],
    ["SELECT FILE('/etc/hostname')", 'OUTSIDE'],
    ["SELECT `file`('/etc/hostname', 'LineAsString')", 'OUTSIDE'],
    ['SELECT "file"(\'/etc/hostname\')', 'OUTSIDE'],
    ["SELECT “file”('/etc/hostname')", 'OUTSIDE'],
    ["SELECT `fi\\x6ce`('/etc/hostname')", 'OUTSIDE'],
    ["SELECT file /* c */ ('/etc/hostname')", 'OUTSIDE'],
    ["SELECT file\n('/etc/hostname')", 'OUTSIDE'],
    ["SELECT 1file('/etc/hostname')", 'OUTSIDE'],
    ["SELECT arrayMap(x -> file(x), ['/etc/hostname'])", 'OUTSIDE'],
    ["SELECT * FROM file('/etc/hostname', 'LineAsString')", 'OUTSIDE'],
    ["SELECT * FROM url('http://169.254.169.254/latest/meta-data/', 'LineAsString')", 'OUTSIDE'],
    ["SELECT * FROM remote('127.0.0.1', default.events)", 'OUTSIDE'],
    ["SELECT * FROM remoteSecure('h', db.t)", 'OUTSIDE'],
    ["SELECT * FROM s3('http://x/y.csv')", 'OUTSIDE'],
    ["SELECT * FROM mysql('h:3306', 'db', 't', 'u', 'p')", 'OUTSIDE'],
    ["SELECT * FROM postgresql('h', 'db', 't', 'u', 'p')", 'OUTSIDE'],
    ["SELECT * FROM executable('id', 'TSV', 'x String')", 'OUTSIDE'],
    ["SELECT * FROM input('x String')", 'OUTSIDE'],
    ["SELECT * FROM hdfs('hdfs://h/f', 'TSV')", 'OUTSIDE'],
    ["SELECT * FROM sqlite('/etc/x.db', 't')", 'OUTSIDE'],
    ["SELECT * FROM jdbc('x', 'y')", 'OUTSIDE'],
    ["SELECT * FROM odbc('x', 'y')", 'OUTSIDE'],
    ["SELECT * FROM cluster('c', default.events)", 'OUTSIDE'],
    ["SELECT * FROM azureBlobStorage('x')", 'OUTSIDE'],
    ["SELECT * FROM deltaLake('x')", 'OUTSIDE'],
    ["SELECT * FROM iceberg('x')", 'OUTSIDE'],
    ["SELECT * FROM hudi('x')", 'OUTSIDE'],
    ["SELECT * FROM mongodb('x')", 'OUTSIDE'],
    ["SELECT * FROM redis('x')", 'OUTSIDE'],
    ["SELECT * FROM urlCluster('c', 'http://x')", 'OUTSIDE'],
    ["SELECT * FROM fileCluster('c', '/etc/x')", 'OUTSIDE'],
    ["SELECT * FROM s3Cluster('c', 'http://x')", 'OUTSIDE'],
    ["SELECT * FROM filesystem('/etc')", 'OUTSIDE'],
    ["SELECT * FROM eval('SELECT 1')", 'OUTSIDE'],
    ["SELECT * FROM merge(currentDatabase(), '^dash')", 'OUTSIDE'],
    ['SELECT * FROM mergeTreeIndex(default, events)', 'OUTSIDE'],
    ["SELECT getServerSetting('path')", 'OUTSIDE'],
    ["SELECT catboostEvaluate('/etc/x.bin', 1)", 'OUTSIDE'],
    ['SELECT hostName()', 'OUTSIDE'],
    ["SELECT aiGenerate('hi')", 'OUTSIDE'],
    ["SELECT 1 INTO OUTFILE '/tmp/x'", 'OUTSIDE'],
    ["SELECT 1 INTO /* c */ OUTFILE '/tmp/x' TRUNCATE", 'OUTSIDE'],
    // Tables holding secrets, private system tables, through any spelling or placeholder.
    ['SELECT * FROM dashboard_users', 'TABLE'],
    ['SELECT * FROM default.`dashboard_users`', 'TABLE'],
    ['SELECT * FROM "DASHBOARD_USERS"', 'TABLE'],
    ['SELECT token_hash FROM dashboard_sessions', 'TABLE'],
    ['SELECT * FROM share_links', 'TABLE'],
    ['SELECT rule FROM alert_rules', 'TABLE'],
    ['SELECT delivery FROM alert_history', 'TABLE'],
    ['SELECT * FROM (SELECT email FROM events WHERE 0 UNION ALL SELECT email FROM dashboard_users)', 'TABLE'],
    ['DESCRIBE TABLE dashboard_users', 'TABLE'],
    ['SELECT * FROM {t:Identifier}', 'TABLE', { t: 'dashboard_users' }],
    ['SELECT * FROM system.{t:Identifier}', 'TABLE', { t: 'processes' }],
    ['SELECT query FROM system.processes', 'TABLE'],
    ['SELECT * FROM `system`.`processes`', 'TABLE'],
    ['SELECT * FROM system . "users"', 'TABLE'],
    ['SELECT * FROM system.query_log', 'TABLE'],
    ['SELECT * FROM system.named_collections', 'TABLE'],
    ['SELECT * FROM system.server_settings', 'TABLE'],
    ['SELECT * FROM system.grants', 'TABLE'],
    ['SHOW PROCESSLIST', 'READONLY'],
    ['SHOW USERS', 'READONLY'],
    ['SHOW GRANTS', 'READONLY'],
    ['SHOW CREATE USER default', 'READONLY'],
    ['SHOW ACCESS', 'READONLY'],
    // A name spelled with a backslash escape is refused outright.
    ['SELECT `ev\\ents` FROM events', 'SYNTAX'],
  ];
  for (const [sql, reason, params] of cases)
    it(`${reason}: ${sql}`, () => assert.equal(read(sql, params), reason));
});

describe('Explore-only', () => {
  it('takes SELECT and WITH only', () => {
    assert.equal(
      refusal(() => checkRead('SHOW TABLES', { selectOnly: true })),
      'READONLY',
    );
    assert.equal(
      refusal(() => checkRead('WITH 1 AS x SELECT x', { selectOnly: true })),
      undefined,
    );
  });
});

describe('statements for writers', () => {
  it('stops reading at INSERT data, which is not SQL', () => {
    const s = parseStatement("INSERT INTO t FORMAT CSV\n1,'it''s; file('x')\n2,\"a\"\"");
    assert.equal(s.keyword, 'INSERT');
    assert.equal(s.format, 'CSV');
    assert.ok(s.dataStart !== undefined);
  });
  it('reads Values rows, which are expressions, as SQL', () => {
    assert.equal(
      refusal(() => parseStatement("INSERT INTO t VALUES ('a'); SELECT file('/etc/passwd')")),
      'MULTI_STATEMENT',
    );
    const s = parseStatement("INSERT INTO t FORMAT Values ('a')");
    assert.equal(s.dataStart, undefined);
  });
});
