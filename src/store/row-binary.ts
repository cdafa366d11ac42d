/**
 * Rows in ClickHouse's RowBinary format, for the embedded store's inserts of many rows (`visits`): reading JSON lines
 * was ~80 % of a visit insert, and this is built faster too (83 283 visit rows, built and inserted: 890 → 390 ms,
 * docs/BENCHMARKS.md). Each column's encoder is chosen once per column list from the column's ClickHouse type.
 *
 * Values are what the processor's rows hold: strings for texts, numbers or decimal strings for integers (a `UInt64`
 * above 2^53 as a decimal string), booleans, and times as ISO 8601 strings (UTC when they name no zone, as the
 * store's `date_time_input_format` reads them) or epoch milliseconds. A value the type cannot take throws
 * `RowBinaryError`, so the insert fails as the engine would fail on it and the row is found and quarantined.
 */

import { PayloadBuffer, writeInSlices } from './payload-buffer.ts';
import { assertPlainName } from './plain-name.ts';

export class RowBinaryError extends Error {}

/** The rows' buffer, with the encodings RowBinary's values take. */
class Writer extends PayloadBuffer {
  varUInt(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buffer[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buffer[this.at++] = n;
  }

  string(s: string): void {
    const n = s.length;
    if (n === 0) {
      this.ensure(1);
      this.buffer[this.at++] = 0;
      return;
    }
    // Short ASCII texts (most of a row) copied by hand: `Buffer.write` costs more than the copy for a few bytes.
    if (n < 128) {
      this.ensure(1 + n * 3);
      const start = this.at + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        this.buffer[start + i] = c;
      }
      const bytes = i === n ? n : this.buffer.write(s, start, 'utf8');
      if (bytes < 128) {
        this.buffer[this.at] = bytes;
        this.at = start + bytes;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.varUInt(bytes);
    this.ensure(bytes);
    this.at += this.buffer.write(s, this.at, 'utf8');
  }

  uint(value: number, bytes: 1 | 2 | 4): void {
    this.ensure(bytes);
    const b = this.buffer;
    b[this.at++] = value & 0xff;
    if (bytes === 1) return;
    b[this.at++] = (value >>> 8) & 0xff;
    if (bytes === 2) return;
    b[this.at++] = (value >>> 16) & 0xff;
    b[this.at++] = value >>> 24;
  }

  /** A 64-bit integer from its two 32-bit halves. */
  int64(low: number, high: number): void {
    this.uint(low >>> 0, 4);
    this.uint(high >>> 0, 4);
  }
}

type Encode = (w: Writer, value: unknown) => void;

const TWO_32 = 2 ** 32;
const UINT64_MAX = 2n ** 64n - 1n;

function integerOf(value: unknown, type: string, max: number, min = 0): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'boolean'
        ? Number(value)
        : value === '' // Number('') is 0
          ? Number.NaN
          : Number(value ?? 0);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new RowBinaryError(`${String(value)} is not a ${type}`);
  return n;
}

const POW10 = [1, 10, 100, 1000, 10_000];

/**
 * A decimal UInt64 (how rows hold visitor ids) into `w`, in four 16-bit limbs four digits at a time: `BigInt` per
 * row was a fifth of encoding a visit row. False when the text is not one.
 */
function uint64Decimal(w: Writer, s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let l0 = 0;
  let l1 = 0;
  let l2 = 0;
  let l3 = 0;
  for (let i = 0, len = n % 4 || 4; i < n; i += len, len = 4) {
    let chunk = 0;
    for (let j = i; j < i + len; j++) {
      const digit = s.charCodeAt(j) - 48;
      if (digit < 0 || digit > 9) return false;
      chunk = chunk * 10 + digit;
    }
    const times = POW10[len];
    let t = l0 * times + chunk;
    l0 = t & 0xffff;
    t = l1 * times + (t >>> 16);
    l1 = t & 0xffff;
    t = l2 * times + (t >>> 16);
    l2 = t & 0xffff;
    t = l3 * times + (t >>> 16);
    l3 = t & 0xffff;
    if (t >>> 16 !== 0) return false;
  }
  w.int64(l0 | (l1 << 16), l2 | (l3 << 16));
  return true;
}

function uint64(w: Writer, value: unknown): void {
  if (typeof value === 'string' && uint64Decimal(w, value)) return;
  if (typeof value === 'bigint') {
    if (value < 0n || value > UINT64_MAX) throw new RowBinaryError(`${value} is not a UInt64`);
    w.int64(Number(value & 0xffffffffn), Number(value >> 32n));
    return;
  }
  const n = integerOf(value, 'UInt64', Number.MAX_SAFE_INTEGER);
  w.int64(n % TWO_32, Math.floor(n / TWO_32));
}

/** `YYYY-MM-DD hh:mm:ss[.fff]` or with a `T`, without a zone: the store reads it as UTC (the session's zone). */
const ZONELESS = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?$/;

const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
};

/**
 * `toISOString`'s 24 characters (`YYYY-MM-DDThh:mm:ss.fffZ`, every time the pipeline writes) read by hand, about
 * three times faster than `Date.parse`; anything else goes to it.
 */
function isoMilliseconds(s: string): number {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */)
    return Number.NaN;
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  const hour = digits(s, 11, 13);
  const minute = digits(s, 14, 16);
  const second = digits(s, 17, 19);
  // Out of these ranges (or not digits: NaN) Date.parse decides, as it does for every other text.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59))
    return Number.NaN;
  return Date.UTC(digits(s, 0, 4), month - 1, day, hour, minute, second, digits(s, 20, 23));
}

function millisecondsOf(value: unknown): number {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else {
    const text = String(value);
    ms = isoMilliseconds(text);
    if (Number.isNaN(ms)) ms = Date.parse(ZONELESS.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  }
  if (!Number.isFinite(ms)) throw new RowBinaryError(`${String(value)} is not a time`);
  return Math.round(ms);
}

function dateTime64(w: Writer, value: unknown): void {
  const ms = millisecondsOf(value);
  const high = Math.floor(ms / TWO_32);
  w.int64(ms - high * TWO_32, high);
}

/** The encoder of a ClickHouse type, as `DESCRIBE` prints it. */
function encoderOf(type: string): Encode {
  switch (type) {
    case 'String':
    case 'LowCardinality(String)':
      return (w, v) => w.string(typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
    case 'Bool':
      return (w, v) => w.uint(v === true || v === 1 || v === '1' || v === 'true' ? 1 : 0, 1);
    case 'UInt8':
      return (w, v) => w.uint(integerOf(v, type, 0xff), 1);
    case 'Int8':
      return (w, v) => w.uint(integerOf(v, type, 127, -128) & 0xff, 1);
    case 'UInt16':
      return (w, v) => w.uint(integerOf(v, type, 0xffff), 2);
    case 'UInt32':
      return (w, v) => w.uint(integerOf(v, type, 0xffffffff), 4);
    case 'UInt64':
      return uint64;
    case "DateTime64(3, 'UTC')":
      return dateTime64;
  }
  const array = /^Array\((.+)\)$/.exec(type);
  if (array) {
    const element = encoderOf(array[1]);
    return (w, v) => {
      if (!Array.isArray(v)) throw new RowBinaryError(`${String(v)} is not an ${type}`);
      w.varUInt(v.length);
      for (const item of v) element(w, item);
    };
  }
  throw new RowBinaryError(`no RowBinary encoder for the type ${type}`);
}

type EncodeRow = (w: Writer, row: object) => void;

const rowEncoders = new Map<string, EncodeRow>();

/**
 * A function that writes a row's columns in order, made once per column list: reading each column by a name known
 * only at run time costs as much as writing it. The names are column names of our own tables, checked before they
 * become code.
 */
function rowEncoder(columns: ReadonlyArray<readonly [name: string, type: string]>): EncodeRow {
  const key = columns.map(([name, type]) => `${name} ${type}`).join(',');
  let encode = rowEncoders.get(key);
  if (!encode) {
    for (const [name] of columns) assertPlainName(name);
    const encoders = columns.map(([, type]) => encoderOf(type));
    const body = columns.map(([name], i) => `e[${i}](w, row.${name});`).join('\n');
    const make = new Function('e', `return (w, row) => {\n${body}\n};`) as (e: Encode[]) => EncodeRow;
    encode = make(encoders);
    rowEncoders.set(key, encode);
  }
  return encode;
}

/** A visit row takes ~200 bytes (83 283 rows: 17 MB); a guess too small only costs a copy. */
const BYTES_PER_ROW_GUESS = 256;

/** The rows' `columns` (name and ClickHouse type, in the order the insert names them) as RowBinary. */
export async function toRowBinary(
  rows: readonly object[],
  columns: ReadonlyArray<readonly [name: string, type: string]>,
): Promise<Buffer> {
  const encode = rowEncoder(columns);
  // Sized for the rows at first: growing by doubling copies the payload again each time (and presses the GC).
  const w = new Writer(Math.max(64 * 1024, rows.length * BYTES_PER_ROW_GUESS));
  await writeInSlices(rows, (row) => encode(w, row));
  return w.bytes();
}
