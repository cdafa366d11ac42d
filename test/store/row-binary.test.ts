// The RowBinary encoder's hand-made fast paths agree with the slow, obvious ones on every value they take, and refuse
// what the engine would refuse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RowBinaryError, toRowBinary } from '../../src/store/row-binary.ts';

const one = (value: unknown, type: string) => toRowBinary([{ v: value }], [['v', type]]);

describe('RowBinary rows', () => {
  it('writes decimal UInt64 texts as BigInt reads them, from 0 to 2^64 − 1', async () => {
    const values = [
      '0',
      '1',
      '9999',
      '10000',
      '65535',
      '65536',
      '4294967295',
      '4294967296',
      '9007199254740993',
    ];
    values.push('18446744073709551615', '18446744073709551614', '00000000000000000042');
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 2_000; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
      values.push(String(x >> BigInt(i % 64)));
    }
    for (const v of values) assert.equal((await one(v, 'UInt64')).readBigUInt64LE(0), BigInt(v), v);
    assert.equal((await one(12345, 'UInt64')).readBigUInt64LE(0), 12345n);
    assert.equal((await one(2n ** 63n, 'UInt64')).readBigUInt64LE(0), 2n ** 63n);
  });

  it('refuses what is not a UInt64: past 2^64 − 1, negative, not digits', async () => {
    for (const v of ['18446744073709551616', '99999999999999999999', '-1', '12a', '', '1.5', -1, 2 ** 60])
      await assert.rejects(one(v, 'UInt64'), RowBinaryError, String(v));
  });

  it('writes times as Date.parse reads them (UTC when no zone is named), and refuses what it cannot read', async () => {
    const ms = (b: Buffer) => Number(b.readBigInt64LE(0));
    let t = Date.UTC(1900, 0, 1);
    while (t < Date.UTC(2299, 11, 31)) {
      const iso = new Date(t).toISOString();
      assert.equal(ms(await one(iso, "DateTime64(3, 'UTC')")), t, iso);
      t += 7_777_777_777 + (t % 997);
    }
    const cases: Array<[unknown, number]> = [
      ['2026-02-30T23:59:59.999Z', Date.parse('2026-02-30T23:59:59.999Z')],
      ['2026-11-24 01:02:03.5', Date.UTC(2026, 10, 24, 1, 2, 3, 500)],
      ['2026-11-24T01:02:03', Date.UTC(2026, 10, 24, 1, 2, 3)],
      ['2026-11-24T01:02:03+02:00', Date.UTC(2026, 10, 23, 23, 2, 3)],
      ['2026-11-24T24:00:00.000Z', Date.parse('2026-11-24T24:00:00.000Z')],
      [1_764_000_000_123, 1_764_000_000_123],
      [new Date(1_764_000_000_123), 1_764_000_000_123],
    ];
    for (const [value, want] of cases)
      assert.equal(ms(await one(value, "DateTime64(3, 'UTC')")), want, String(value));
    for (const bad of ['2026-13-01T00:00:00.000Z', 'yesterday', '', '2026-11-24T01:02:03.000Q'])
      await assert.rejects(one(bad, "DateTime64(3, 'UTC')"), RowBinaryError, bad);
  });

  it('writes texts as their UTF-8 bytes after their length, however long', async () => {
    for (const s of [
      '',
      'a',
      'Zürich',
      '東京',
      '🚀',
      '\u0000',
      'x'.repeat(127),
      'é'.repeat(64),
      'y'.repeat(70_000),
    ]) {
      const b = await one(s, 'String');
      const bytes = Buffer.from(s, 'utf8');
      let length = 0;
      let at = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = b[at++];
        length += (byte & 0x7f) * 2 ** shift;
        if (byte < 0x80) break;
      }
      assert.equal(length, bytes.length, `length of ${s.slice(0, 10)}`);
      assert.deepEqual(b.subarray(at), bytes);
    }
  });

  it('refuses a column name that is not a plain identifier before it becomes code', async () => {
    await assert.rejects(toRowBinary([{}], [['a); process.exit(1); (', 'String']]), /not a column name/);
    await assert.rejects(toRowBinary([{}], [['a', 'Map(String, String)']]), /no RowBinary encoder/);
  });
});
