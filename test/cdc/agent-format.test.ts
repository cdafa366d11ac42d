// The CDC agent's pure parts: Maxwell's value rendering, message shape, DDL messages, table filters, positions and
// the command-line options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparePositions, parsePosition } from '../../src/cdc/agent/binlog-position.ts';
import {
  bootstrapMarker,
  type ColumnInfo,
  ddlMessage,
  formatValue,
  type RowChange,
  transactionMessages,
} from '../../src/cdc/agent/maxwell-format.ts';
import { OptionsError, parseCdcOptions } from '../../src/cdc/agent/options.ts';
import { TableFilter } from '../../src/cdc/agent/table-filter.ts';

const col = (type: string, json = false): ColumnInfo => ({ type, json });
const text = (v: unknown) => JSON.stringify(v);

describe('Maxwell values', () => {
  it('writes decimals and 64-bit integers as exact JSON numbers', () => {
    assert.equal(text(formatValue('19.90', col('decimal(10,2)'))), '19.90');
    assert.equal(text(formatValue('-0.050', col('decimal(6,3)'))), '-0.050');
    assert.equal(
      text(formatValue('18446744073709551615', col('bigint(20) unsigned'))),
      '18446744073709551615',
    );
    assert.equal(formatValue('42', col('bigint')), 42);
    assert.equal(formatValue(7, col('int(11)')), 7);
    assert.equal(text(formatValue(2n ** 63n, col('bigint unsigned'))), '9223372036854775808');
  });

  it('renders BIT, SET, JSON, binary and temporal columns as Maxwell does', () => {
    assert.equal(formatValue(Buffer.from([1]), col('bit(1)')), true);
    assert.equal(formatValue(Buffer.from([0]), col('bit(1)')), false);
    assert.equal(formatValue(Buffer.from([0x01, 0x05]), col('bit(12)')), 261);
    assert.deepEqual(formatValue('a,c', col("set('a','b','c')")), ['a', 'c']);
    assert.deepEqual(formatValue('', col("set('a','b')")), []);
    assert.deepEqual(formatValue('{"a":[1,2]}', col('longtext', true)), { a: [1, 2] });
    assert.deepEqual(formatValue({ a: 1 }, col('json')), { a: 1 });
    assert.equal(formatValue('not json', col('longtext', true)), 'not json', 'kept rather than lost');
    assert.equal(formatValue('{"a":1}', col('longtext')), '{"a":1}', 'a plain LONGTEXT stays text');
    assert.equal(formatValue(Buffer.from([0, 255, 16]), col('blob')), 'AP8Q');
    assert.equal(formatValue(Buffer.from('ab'), col('varbinary(10)')), 'YWI=');
    assert.equal(formatValue('2024-04-17', col('date')), '2024-04-17');
    assert.equal(formatValue('2024-04-17 04:06:12.250', col('datetime(3)')), '2024-04-17 04:06:12.250');
    assert.equal(formatValue(new Date('2024-04-17T04:06:12Z'), col('timestamp')), '2024-04-17 04:06:12');
    assert.equal(formatValue('12:34:56', col('time')), '12:34:56');
    assert.equal(formatValue(2024, col('year(4)')), 2024);
    assert.equal(formatValue('pro', col("enum('free','pro')")), 'pro');
    assert.equal(formatValue(null, col('int')), null);
    assert.equal(formatValue(Buffer.from('x'), undefined), 'eA==', 'unknown columns by their shape');
  });
});

describe('Maxwell messages', () => {
  const columns = new Map([
    ['id', col('int')],
    ['plan', col("enum('free','pro')")],
    ['balance', col('decimal(10,2)')],
    ['secret', col('varchar(20)')],
  ]);
  const row = (over: Partial<RowChange>): RowChange => ({
    type: 'insert',
    database: 'shop',
    table: 'users',
    ts: 1713326652,
    data: { id: 1, plan: 'free', balance: '1.50', secret: 's' },
    columns,
    primaryKey: ['id'],
    ...over,
  });

  it('numbers a transaction, flags its last row and keeps only changed columns in old', () => {
    const messages = transactionMessages(
      [
        row({}),
        row({
          type: 'update',
          data: { id: 1, plan: 'pro', balance: '1.50', secret: 't' },
          before: { id: 1, plan: 'free', balance: '1.50', secret: 's' },
        }),
      ],
      { xid: 77, position: 'binlog.000001:1234', serverId: 1 },
      (_db, _table, column) => column === 'secret',
    );
    assert.equal(
      text(messages[1]),
      '{"database":"shop","table":"users","type":"update","ts":1713326652,"xid":77,"xoffset":1,"commit":true,' +
        '"position":"binlog.000001:1234","server_id":1,"primary_key":[1],"primary_key_columns":["id"],' +
        '"data":{"id":1,"plan":"pro","balance":1.50},"old":{"plan":"free"}}',
    );
    assert.equal(messages[0].commit, undefined, 'only the last row commits');
    assert.equal(messages[0].xoffset, 0);
    assert.equal('old' in messages[0], false);
  });

  it('writes bootstrap markers with an empty data object', () => {
    assert.deepEqual(bootstrapMarker('bootstrap-start', 'shop', 'users', 5, 0, 'b.000001:4'), {
      database: 'shop',
      table: 'users',
      type: 'bootstrap-start',
      ts: 5,
      xoffset: 0,
      position: 'b.000001:4',
      data: {},
    });
  });

  it('turns schema statements into table-/database- messages and ignores the rest', () => {
    const at = { ts: 1, position: 'b.000001:9', schema: 'shop' };
    assert.deepEqual(ddlMessage({ ...at, sql: 'ALTER TABLE `shop`.`users` ADD COLUMN x INT' }), {
      type: 'table-alter',
      database: 'shop',
      table: 'users',
      ts: 1,
      position: 'b.000001:9',
      sql: 'ALTER TABLE `shop`.`users` ADD COLUMN x INT',
    });
    assert.equal(ddlMessage({ ...at, sql: 'create table if not exists t (id int)' })?.table, 't');
    assert.equal(ddlMessage({ ...at, sql: 'CREATE TABLE t (id int)' })?.database, 'shop');
    assert.equal(ddlMessage({ ...at, sql: 'DROP DATABASE other' })?.type, 'database-drop');
    assert.equal(ddlMessage({ ...at, sql: 'RENAME TABLE a TO b' })?.type, 'table-alter');
    assert.equal(ddlMessage({ ...at, sql: "GRANT SELECT ON *.* TO 'x'@'%'" }), undefined);
    assert.equal(ddlMessage({ ...at, sql: 'CREATE INDEX i ON t (a)' }), undefined);
  });
});

describe('table filter', () => {
  it('includes by glob, lets excludes win and skips system schemas unless named', () => {
    const f = new TableFilter({ include: ['shop.*', 'mysql.user'], exclude: ['shop.audit_?'] });
    assert.equal(f.includes('shop', 'users'), true);
    assert.equal(f.includes('shop', 'audit_1'), false);
    assert.equal(f.includes('billing', 'invoices'), false);
    assert.equal(f.includes('mysql', 'user'), true);
    assert.equal(new TableFilter().includes('mysql', 'user'), false);
    assert.equal(new TableFilter().includes('any', 'table'), true);
    assert.match(f.whyExcluded('shop', 'audit_1') ?? '', /--exclude shop\.audit_\?/);
    assert.equal(f.includesDatabase('shop'), true);
    assert.equal(f.includesDatabase('billing'), false);
  });

  it('drops columns by column, table.column or db.table.column', () => {
    const f = new TableFilter({ excludeColumns: ['password', 'users.ssn', 'shop.*.card_*'] });
    assert.equal(f.dropsColumn('any', 'any', 'password'), true);
    assert.equal(f.dropsColumn('x', 'users', 'ssn'), true);
    assert.equal(f.dropsColumn('x', 'people', 'ssn'), false);
    assert.equal(f.dropsColumn('shop', 'orders', 'card_number'), true);
    assert.equal(f.dropsColumn('billing', 'orders', 'card_number'), false);
  });

  it('names the flag and the form in its errors', () => {
    assert.throws(() => new TableFilter({ include: ['shop'] }), /--include "shop" must be db\.table/);
    assert.throws(() => new TableFilter({ excludeColumns: ['a.b.c.d'] }), /--exclude-columns/);
  });
});

describe('binlog positions', () => {
  it('parses file:offset and orders across numbered files', () => {
    assert.deepEqual(parsePosition('mysql-bin.000042:1234'), { file: 'mysql-bin.000042', position: 1234 });
    assert.throws(() => parsePosition('mysql-bin.000042'), /FILE:OFFSET/);
    assert.ok(comparePositions(parsePosition('b.000009:900'), parsePosition('b.000010:4')) < 0);
    assert.ok(comparePositions(parsePosition('b.000010:500'), parsePosition('b.000010:40')) > 0);
  });
});

describe('sightline cdc options', () => {
  const base = ['--mysql', 'mysql://cdc@db:3307', '--url', 'http://central:8080', '--project', 'shop'];

  it('takes flags over SIGHTLINE_CDC_* variables and the password only from the environment', () => {
    const parsed = parseCdcOptions([...base, '--batch-rows', '10'], {
      SIGHTLINE_CDC_BATCH_ROWS: '99',
      SIGHTLINE_CDC_FLUSH_MS: '75',
      SIGHTLINE_CDC_MYSQL_PASSWORD: 'pw',
      SIGHTLINE_CDC_INCLUDE: 'shop.*,billing.invoices',
    });
    assert.equal(parsed.help, false);
    if (parsed.help) return;
    assert.deepEqual(parsed.options.target, { host: 'db', port: 3307, user: 'cdc', password: 'pw' });
    assert.equal(parsed.options.batchRows, 10);
    assert.equal(parsed.options.flushMs, 75);
    assert.equal(parsed.options.filter.includes('billing', 'invoices'), true);
    assert.equal(parsed.options.filter.includes('billing', 'refunds'), false);
  });

  it('reports every problem at once, each with its flag', () => {
    try {
      parseCdcOptions(['--mysql', 'db:3306', '--batch-rows', 'many', '--bootstrap', 'shop.*'], {});
      assert.fail('should refuse');
    } catch (err) {
      assert.ok(err instanceof OptionsError);
      const lines = err.message.split('\n');
      assert.ok(lines.some((l) => l.startsWith('--mysql "db:3306" names no user')));
      assert.ok(lines.some((l) => l.startsWith('--url is required (or SIGHTLINE_CDC_URL)')));
      assert.ok(lines.some((l) => l.startsWith('--project is required')));
      assert.ok(
        lines.some((l) => l.startsWith('--batch-rows (SIGHTLINE_CDC_BATCH_ROWS) must be a whole number')),
      );
      assert.ok(lines.some((l) => l.startsWith('--bootstrap "shop.*" must name one table')));
    }
  });
});
