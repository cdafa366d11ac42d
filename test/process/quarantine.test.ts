// The pieces that keep one record from holding a log back: the nesting measure, dead letters built for any input,
// the split of failing conversions and refused inserts, and how store failures are told apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeEnvelope } from '../../src/contract/envelope.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../../src/contract/json-depth.ts';
import type { LogRecord } from '../../src/log/event-log.ts';
import {
  deadLetterRow,
  lastResortRow,
  MAX_PAYLOAD_JSON_CHARS,
  quarantinedRecord,
  rejectedRow,
} from '../../src/process/dead-letter.ts';
import {
  convertIsolating,
  type GroupContext,
  insertIsolating,
  isStoreOutage,
  type TableRows,
} from '../../src/process/isolate.ts';
import { insertFailed, StoreError, storeUnavailable } from '../../src/store/errors.ts';

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('JSON nesting measure', () => {
  it('accepts the limit and finds the first bracket past it', () => {
    assert.equal(tooDeepAt(nested(MAX_JSON_DEPTH)), -1);
    assert.equal(tooDeepAt(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH);
    assert.equal(tooDeepAt(`{"a":${nested(MAX_JSON_DEPTH)}}`), 1 + 4 + MAX_JSON_DEPTH - 1);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ s: `\\"${'['.repeat(1000)}` });
    assert.equal(tooDeepAt(inString), -1);
    // {"s":"a\"b","t":[[["x"]]]} nests four deep; its third bracket is at 18.
    assert.equal(tooDeepAt(JSON.stringify({ s: 'a"b', t: [[['x']]] }), 4), -1);
    assert.equal(tooDeepAt(JSON.stringify({ s: 'a"b', t: [[['x']]] }), 3), 18);
  });

  it('measures JSON lines one by one when asked, the whole text otherwise', () => {
    const lines = Array.from({ length: 40 }, () => '{"a":[').join('\n');
    assert.equal(tooDeepAt(lines, MAX_JSON_DEPTH, true), -1, 'broken lines do not add up');
    assert.ok(tooDeepAt(lines) > 0);
    assert.ok(tooDeepAt(`{"ok":1}\n${nested(100)}`, MAX_JSON_DEPTH, true) > 0);
  });

  it('measures 100 000 levels without overflowing the stack', () => {
    assert.equal(tooDeepAt(nested(100_000)), MAX_JSON_DEPTH);
  });
});

describe('dead-letter rows', () => {
  it('are built for hostile input: huge payloads are cut below the message limit, bytes that are not UTF-8 kept as base64', () => {
    const huge = deadLetterRow({ reason: 'x', payload: '\u0000'.repeat(10 * 1024 * 1024) });
    assert.ok(JSON.stringify(huge.payload).length <= MAX_PAYLOAD_JSON_CHARS);
    assert.match(huge.reason, /payload cut/);
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const binary = deadLetterRow({ reason: 'x', payload: bytes });
    assert.equal(binary.payload, bytes.toString('base64'));
    assert.match(binary.reason, /base64/);
    const odd = deadLetterRow({
      receivedAt: 1e300,
      project: { toString: () => 'p' },
      source: {
        toString() {
          throw new Error('hostile');
        },
      },
      reason: 'y',
      message: 'm'.repeat(1e6),
      payload: '',
    });
    assert.equal(typeof odd.received_at, 'string');
    assert.ok(odd.reason.length <= 2000);
    assert.equal(odd.source, 'unknown');
  });

  it('quarantine a record that is no envelope as base64, and one that is with its envelope fields', () => {
    const junk = quarantinedRecord(
      { offset: 3, value: Buffer.from([1, 2, 3]) },
      'unconvertible',
      new Error('boom'),
      'cdc',
    );
    assert.equal(junk.source, 'cdc');
    assert.equal(junk.payload, 'AQID');
    assert.equal(junk.reason, 'unconvertible: boom');
    const value = encodeEnvelope(
      {
        v: 1,
        id: 'e1',
        receivedAt: Date.UTC(2024, 0, 1),
        protocol: 'native',
        project: 'app',
        ip: '',
        ua: '',
        headers: {},
        count: 1,
      },
      Buffer.from('{"type":"x"}'),
    );
    const row = quarantinedRecord({ offset: 4, value }, 'unconvertible', new RangeError('stack'), 'events');
    assert.deepEqual(
      [row.project, row.source, row.envelope_id, row.payload, row.received_at],
      ['app', 'native', 'e1', '{"type":"x"}', '2024-01-01T00:00:00.000Z'],
    );
  });

  it('describe a refused row by its table, and a refused dead letter in ASCII only', () => {
    const refused = rejectedRow(
      'events',
      { event_id: 'id1', project: 'app', protocol: 'segment', received_at: '2024-01-01T00:00:00.000Z' },
      new Error('Code: 41. DB::Exception: Cannot read DateTime'),
    );
    assert.deepEqual([refused.source, refused.envelope_id, refused.project], ['segment', 'id1', 'app']);
    assert.match(refused.reason, /^rejected_by_store: events: Code: 41/);
    const last = lastResortRow({ ...refused, reason: 'é\u0000' }, new Error('nope ü'));
    assert.match(last.reason, /^[\x20-\x7e]*$/);
    assert.match(last.payload, /^[A-Za-z0-9+/=]*$/);
  });
});

describe('store failures', () => {
  it('tell refused data (chDB and server codes) from an unavailable store', () => {
    const chdb = Object.assign(new Error('Code: 41. DB::Exception: Cannot read DateTime'), {
      clickhouseCode: 41,
    });
    const server = Object.assign(new Error('Cannot parse input'), { code: '27' });
    const textOnly = new Error('Code: 376. DB::Exception: Cannot parse UUID');
    for (const err of [chdb, server, textOnly]) {
      assert.equal((insertFailed(err) as StoreError).code, 'STORE_ERR_REJECTED');
      assert.equal(isStoreOutage(insertFailed(err)), false);
    }
    const missingTable = Object.assign(
      new Error('Code: 60. DB::Exception: Table default.events does not exist'),
      {
        clickhouseCode: 60,
      },
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    const tooManyParts = Object.assign(new Error('Too many parts'), { code: '252' });
    for (const err of [missingTable, refused, tooManyParts]) {
      assert.equal((insertFailed(err) as StoreError).code, 'STORE_ERR_UNAVAILABLE');
      assert.equal(isStoreOutage(insertFailed(err)), true);
    }
    assert.equal(isStoreOutage(new RangeError('Maximum call stack size exceeded')), false);
  });
});

const records = (n: number): LogRecord[] =>
  Array.from({ length: n }, (_, i) => ({ offset: 100 + i, value: Buffer.from(`r${i}`) }));

const CONTEXT: GroupContext = { token: 'events-0-100-112#0', redelivery: false };

/**
 * A converter that throws whenever its group holds one of the `bad` offsets (as a poison record would); `tokens`
 * records the token each part was converted under.
 */
function poisonedConverter(bad: Set<number>, calls: number[][] = [], tokens: string[] = []) {
  return async (group: readonly LogRecord[], context: GroupContext): Promise<TableRows> => {
    calls.push(group.map((r) => r.offset));
    tokens.push(context.token);
    if (group.some((r) => bad.has(r.offset))) throw new RangeError('Maximum call stack size exceeded');
    return [
      { table: 'dead_letters', rows: [] },
      { table: 'events', rows: group.map((r) => ({ offset: r.offset })) },
    ];
  };
}

const quarantine = (record: LogRecord, err: unknown): TableRows => [
  { table: 'dead_letters', rows: [{ quarantined: record.offset, reason: (err as Error).message }] },
];

describe('splitting a failing conversion', () => {
  it('quarantines exactly the records that fail alone and keeps every other row, in order', async () => {
    const result = await convertIsolating(
      records(10),
      CONTEXT,
      poisonedConverter(new Set([103, 107])),
      quarantine,
    );
    assert.deepEqual(result, [
      {
        table: 'dead_letters',
        rows: [
          { quarantined: 103, reason: 'Maximum call stack size exceeded' },
          { quarantined: 107, reason: 'Maximum call stack size exceeded' },
        ],
      },
      { table: 'events', rows: [100, 101, 102, 104, 105, 106, 108, 109].map((offset) => ({ offset })) },
    ]);
  });

  it('splits the same way every time (a re-delivered batch gets the same rows)', async () => {
    const first: number[][] = [];
    const second: number[][] = [];
    const firstTokens: string[] = [];
    const secondTokens: string[] = [];
    const a = await convertIsolating(
      records(13),
      CONTEXT,
      poisonedConverter(new Set([105]), first, firstTokens),
      quarantine,
    );
    const b = await convertIsolating(
      records(13),
      CONTEXT,
      poisonedConverter(new Set([105]), second, secondTokens),
      quarantine,
    );
    assert.deepEqual(a, b);
    assert.deepEqual(first, second);
    // Each part is converted under a token of its own (its client-retry decision is kept under it), the same
    // tokens on every attempt.
    assert.deepEqual(firstTokens, secondTokens);
    assert.equal(firstTokens[0], CONTEXT.token);
    assert.ok(
      firstTokens.slice(1).every((t) => /^events-0-100-112#0(\/[01])+$/.test(t)),
      firstTokens.join(' '),
    );
    const parts = firstTokens.filter((_t, i) => first[i].every((o) => o !== 105));
    assert.equal(new Set(parts).size, parts.length, 'no two converted parts share a token');
  });

  it('does not split or quarantine when the store is unavailable: the batch is retried', async () => {
    const calls: number[][] = [];
    await assert.rejects(
      convertIsolating(
        records(8),
        CONTEXT,
        async (group) => {
          calls.push(group.map((r) => r.offset));
          throw storeUnavailable(new Error('ECONNREFUSED'));
        },
        quarantine,
      ),
      (err: unknown) => err instanceof StoreError && err.code === 'STORE_ERR_UNAVAILABLE',
    );
    assert.equal(calls.length, 1);
  });
});

describe('splitting a refused insert', () => {
  /** An insert the store refuses whenever the block holds a bad row; records every attempted token. */
  function refusingInsert(bad: (row: { n: number }) => boolean, tokens: string[], stored: number[]) {
    return async (rows: readonly object[], token: string) => {
      tokens.push(token);
      if ((rows as Array<{ n: number }>).some(bad))
        throw insertFailed(Object.assign(new Error('Code: 41. DB::Exception'), { clickhouseCode: 41 }));
      stored.push(...(rows as Array<{ n: number }>).map((r) => r.n));
    };
  }

  it('stores every other row, hands over the rows refused alone, with tokens derived from the block', async () => {
    const rows = Array.from({ length: 6 }, (_, n) => ({ n }));
    const tokens: string[] = [];
    const stored: number[] = [];
    const refused: number[] = [];
    await insertIsolating(
      rows,
      'events:t#0.0',
      refusingInsert((r) => r.n === 4, tokens, stored),
      (row) => refused.push((row as { n: number }).n),
    );
    assert.deepEqual(stored, [0, 1, 2, 3, 5]);
    assert.deepEqual(refused, [4]);
    assert.deepEqual(tokens, [
      'events:t#0.0',
      'events:t#0.0/0',
      'events:t#0.0/1',
      'events:t#0.0/1/0',
      'events:t#0.0/1/0/0',
      'events:t#0.0/1/0/1',
      'events:t#0.0/1/1',
    ]);
    const again: string[] = [];
    await insertIsolating(
      rows,
      'events:t#0.0',
      refusingInsert((r) => r.n === 4, again, []),
      () => undefined,
    );
    assert.deepEqual(again, tokens, 'a retry inserts the same blocks under the same tokens');
  });

  it('rethrows an unavailable store without splitting', async () => {
    const tokens: string[] = [];
    await assert.rejects(
      insertIsolating(
        [{ n: 1 }, { n: 2 }],
        'events:t#0.0',
        async (_rows, token) => {
          tokens.push(token);
          throw insertFailed(
            Object.assign(new Error('Code: 60. DB::Exception: no table'), { clickhouseCode: 60 }),
          );
        },
        () => assert.fail('nothing is quarantined while the store is down'),
      ),
      (err: unknown) => isStoreOutage(err),
    );
    assert.deepEqual(tokens, ['events:t#0.0']);
  });
});
