/**
 * Pieces of the seed's SQL text: literals, and random choices as a few bits of a `cityHash64` indexing a table.
 * Every value reaching the SQL text is either a number the seed code computed or a string passed through `str`.
 */
import { PICK_BITS } from './pick-tables.ts';

/** A ClickHouse string literal. */
export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function strs(values: readonly string[]): string {
  return `[${values.map(str).join(',')}]`;
}

export function ints(values: readonly number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new Error(`seed: ${v} is not an integer`);
  return `[${values.join(',')}]`;
}

/** `bits` bits of hash `h` starting at bit `from`. */
export function bits(h: string, from: number, count: number): string {
  const mask = 2 ** count - 1;
  return from === 0 ? `bitAnd(${h}, ${mask})` : `bitAnd(bitShiftRight(${h}, ${from}), ${mask})`;
}

/** Index into a 1-based table of 2^count entries. */
export function pick(table: string, h: string, from: number, count = PICK_BITS): string {
  return `${table}[1 + ${bits(h, from, count)}]`;
}

/**
 * A small integer as a LowCardinality index: string columns picked with it (`NAMES[lc]`) are then computed once per
 * distinct value and come out LowCardinality themselves. Picking strings row by row and letting the insert build
 * each LowCardinality column's dictionary cost three times as much as everything else the generator does.
 */
export function lc(expr: string): string {
  return `toLowCardinality(toUInt16(${expr}))`;
}

/** A millisecond count as a DateTime64(3) in UTC. */
export const ms = (expr: string) => `fromUnixTimestamp64Milli(toInt64(${expr}), 'UTC')`;
