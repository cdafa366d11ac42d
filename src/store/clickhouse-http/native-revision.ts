/**
 * ClickHouse's `Native` format differs by the client's protocol revision: a server asked over HTTP with
 * `client_protocol_version=N` (clickhouse-go does, and so Grafana's ClickHouse data source) writes each block's
 * BlockInfo first and, from revision 54454, a "custom serialization" flag after every column's type. The embedded
 * engine cannot be told a client revision, so its revision-0 output is rewritten here: the same bytes with those
 * fields added (no column uses a custom serialization: the engine writes plain ones at revision 0).
 *
 * Adding the flag means finding where each column's data ends, so the data of the types a query can return is
 * walked (fixed-width numbers, dates, UUIDs, IPs, decimals, enums, strings, Nullable, Array, Tuple, Map and
 * LowCardinality, which the client reads as the engine wrote it). Types with richer encodings (Dynamic, Variant,
 * JSON, aggregate states) are refused with a message that says how to cast them.
 */

/** The first revision whose Native blocks carry a per-column serialization flag. */
export const REVISION_WITH_CUSTOM_SERIALIZATION = 54454;

export class NativeTypeUnsupported extends Error {}

interface TypeNode {
  name: string;
  args: TypeNode[];
  /** The raw text of an argument that is not a type (a number, a quoted string, an enum entry). */
  text: string;
}

/** `Array(Nullable(String))` → a tree; arguments that are not types keep their text. */
export function parseType(text: string): TypeNode {
  let pos = 0;
  const parse = (): TypeNode => {
    while (text[pos] === ' ') pos++;
    const start = pos;
    // A quoted literal (enum entry, time zone) or a number: not a type, kept as text up to the next , or ).
    if (text[pos] === "'" || /[0-9-]/.test(text[pos] ?? '')) {
      let quoted = false;
      while (pos < text.length) {
        const c = text[pos];
        if (c === "'" && text[pos - 1] !== '\\') quoted = !quoted;
        else if (!quoted && (c === ',' || c === ')')) break;
        pos++;
      }
      return { name: '', args: [], text: text.slice(start, pos).trim() };
    }
    while (
      pos < text.length &&
      /[A-Za-z0-9_ ]/.test(text[pos]) &&
      !(text[pos] === ' ' && text[pos + 1] === '(')
    )
      pos++;
    let name = text.slice(start, pos).trim();
    // Named tuple elements: `a UInt8` → the type is the last word.
    if (name.includes(' ')) name = name.slice(name.lastIndexOf(' ') + 1);
    const args: TypeNode[] = [];
    if (text[pos] === '(') {
      pos++;
      while (pos < text.length && text[pos] !== ')') {
        args.push(parse());
        while (text[pos] === ' ') pos++;
        if (text[pos] === ',') pos++;
      }
      pos++;
    }
    return { name, args, text: text.slice(start, pos).trim() };
  };
  return parse();
}

const FIXED: Record<string, number> = {
  UInt8: 1,
  Int8: 1,
  Bool: 1,
  Enum8: 1,
  Nothing: 1,
  UInt16: 2,
  Int16: 2,
  Enum16: 2,
  Date: 2,
  BFloat16: 2,
  UInt32: 4,
  Int32: 4,
  Float32: 4,
  Date32: 4,
  DateTime: 4,
  IPv4: 4,
  Decimal32: 4,
  UInt64: 8,
  Int64: 8,
  Float64: 8,
  DateTime64: 8,
  Decimal64: 8,
  Time: 4,
  Time64: 8,
  UInt128: 16,
  Int128: 16,
  UUID: 16,
  IPv6: 16,
  Decimal128: 16,
  UInt256: 32,
  Int256: 32,
  Decimal256: 32,
};

function readVarUInt(buf: Buffer, pos: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new RangeError('Native data ends inside a number');
    const byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
  throw new RangeError('Native data has a malformed number');
}

/** Where the data of `rows` values of `type` starting at `pos` ends. */
function skipColumn(type: TypeNode, rows: number, buf: Buffer, pos: number): number {
  if (rows === 0) return pos;
  const fixed = FIXED[type.name];
  if (fixed !== undefined) return pos + fixed * rows;
  switch (type.name) {
    case 'Decimal': {
      const precision = Number(type.args[0]?.text);
      return pos + (precision <= 9 ? 4 : precision <= 18 ? 8 : precision <= 38 ? 16 : 32) * rows;
    }
    case 'FixedString':
      return pos + Number(type.args[0]?.text) * rows;
    case 'String': {
      let at = pos;
      for (let i = 0; i < rows; i++) {
        const [length, next] = readVarUInt(buf, at);
        at = next + length;
      }
      return at;
    }
    case 'Nullable':
      return skipColumn(type.args[0], rows, buf, pos + rows);
    case 'Array':
    case 'Map': {
      // Offsets (UInt64, cumulative), then the nested column(s) with as many values as the last offset says.
      const end = pos + 8 * rows;
      const values = Number(buf.readBigUInt64LE(end - 8));
      if (type.name === 'Array') return skipColumn(type.args[0], values, buf, end);
      return skipColumn(type.args[1], values, buf, skipColumn(type.args[0], values, buf, end));
    }
    case 'LowCardinality':
      return skipLowCardinality(type.args[0], rows, buf, pos);
    case 'Tuple': {
      let at = pos;
      for (const element of type.args) at = skipColumn(element, rows, buf, at);
      return at;
    }
    default:
      throw new NativeTypeUnsupported(
        `columns of type ${type.text} cannot be sent in Native format by this endpoint; cast them (e.g. toString(x)) or ask for another FORMAT`,
      );
  }
}

const HAS_ADDITIONAL_KEYS = 1 << 9;
const INDEX_WIDTH = [1, 2, 4, 8];

/**
 * LowCardinality: a version (UInt64), then parts until every row is covered — an index type (UInt64: key width in
 * the low byte, flags above), when flagged the part's dictionary (UInt64 count, then keys of the inner type without
 * Nullable), then the row count (UInt64) and one key index per row.
 */
function skipLowCardinality(inner: TypeNode, rows: number, buf: Buffer, pos: number): number {
  const keys = inner.name === 'Nullable' ? inner.args[0] : inner;
  let at = pos + 8;
  let covered = 0;
  while (covered < rows) {
    const indexType = Number(buf.readBigUInt64LE(at));
    at += 8;
    if (indexType & HAS_ADDITIONAL_KEYS) {
      const count = Number(buf.readBigUInt64LE(at));
      at = skipColumn(keys, count, buf, at + 8);
    }
    const partRows = Number(buf.readBigUInt64LE(at));
    const width = INDEX_WIDTH[indexType & 0xff];
    if (width === undefined || partRows === 0) throw new RangeError('malformed LowCardinality column');
    at += 8 + width * partRows;
    covered += partRows;
  }
  return at;
}

/** BlockInfo as a revision > 0 client reads it: is_overflows = false, bucket_num = -1, end. */
const BLOCK_INFO = Buffer.from([1, 0, 2, 0xff, 0xff, 0xff, 0xff, 0]);

/** Revision-0 Native output → the same blocks as a client of `revision` reads them. */
export function nativeForRevision(data: Buffer, revision: number): Buffer {
  if (revision <= 0) return data;
  const flag = revision >= REVISION_WITH_CUSTOM_SERIALIZATION;
  const parts: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    parts.push(BLOCK_INFO);
    const blockStart = pos;
    let columns: number;
    let rows: number;
    [columns, pos] = readVarUInt(data, pos);
    [rows, pos] = readVarUInt(data, pos);
    parts.push(data.subarray(blockStart, pos));
    for (let c = 0; c < columns; c++) {
      const headerStart = pos;
      let length: number;
      [length, pos] = readVarUInt(data, pos); // name
      pos += length;
      [length, pos] = readVarUInt(data, pos); // type
      const type = parseType(data.toString('utf8', pos, pos + length));
      pos += length;
      parts.push(data.subarray(headerStart, pos));
      if (flag) parts.push(Buffer.from([0]));
      const dataStart = pos;
      pos = skipColumn(type, rows, data, pos);
      if (pos > data.length) throw new RangeError('Native data ends inside a column');
      parts.push(data.subarray(dataStart, pos));
    }
  }
  return Buffer.concat(parts);
}
