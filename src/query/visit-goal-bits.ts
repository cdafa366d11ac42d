/**
 * Which goals each visit reached, stored on its `visits` row as bits (`goal_mask`), beside the goal list they were
 * computed for (`goal_epoch`). Reading a goal from the row's lists (`arrayExists(p -> p LIKE …, pages)`, `hasAny(
 * event_types, …)`) was a quarter of the visit pass of a sampled page (~33 of 138 ms at 10 M events,
 * docs/BENCHMARKS.md); a bit test reads four bytes a row.
 *
 * A project's *visit goals* are its goals without property conditions (the rows keep no properties), each named by
 * its kind and value and sorted by those bytes; bit i is the i-th, for the first 64. The epoch is a hash of that
 * list: a row whose epoch is the project's current one holds the right bits, whatever goals were added, changed or
 * removed before. The processor stamps every row it writes with the goals it knows (src/process/visits/
 * visit-keeper.ts); rows folded in SQL (migrations, erasures) and rows of a list that changed since are stamped again
 * by a mutation (src/goals/visit-goal-backfill.ts). A query reads the bits only when none of the rows it reads has
 * another epoch (src/query/visit-goal-currency.ts), and the lists otherwise — so the answer is the same either way.
 */
import type { GoalSpec } from './goal-spec.ts';
import { patternToLike } from './goals.ts';

/** Bits of `goal_mask` (UInt64). Goals past them are read from the lists. */
export const VISIT_GOAL_BITS = 64;

/** `goal_epoch` of a row no goal list was computed for (rows folded in SQL, rows written before migration 031). */
export const NO_EPOCH = 0;

export interface VisitGoalBits {
  /** The list's hash (never NO_EPOCH). */
  epoch: number;
  /** `kind:value` of each bit, in bit order. */
  keys: readonly string[];
  /** The goal's bit, or nothing when it has property conditions or lies past the 64th. */
  bitOf(goal: GoalSpec): number | undefined;
  /** The bits of the goals a visit with these lists reached (as the SQL of `maskSql` computes them). */
  maskOf(pages: readonly string[], eventTypes: readonly string[]): bigint;
}

const keyOf = (g: Pick<GoalSpec, 'kind' | 'value'>) => `${g.kind}:${g.value}`;

/** 32-bit FNV-1a of the text's UTF-8 bytes. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Made once per goal list (the registry hands out the same array until the goals change). */
const made = new WeakMap<readonly GoalSpec[], VisitGoalBits | undefined>();

/** The bits of a project's goals, or nothing when none can be read from a visit row. */
export function visitGoalBits(goals: readonly GoalSpec[]): VisitGoalBits | undefined {
  // Not remembered: a project without goals gets a new empty list each time, for each row the processor writes.
  if (goals.length === 0) return undefined;
  if (made.has(goals)) return made.get(goals);
  const keys = [...new Set(goals.filter((g) => !g.conditions?.length).map(keyOf))]
    .sort(byBytes)
    .slice(0, VISIT_GOAL_BITS);
  const bits = keys.length === 0 ? undefined : makeBits(keys);
  made.set(goals, bits);
  return bits;
}

/**
 * A page pattern's test, as LIKE over `patternToLike`'s text: `*` any run of characters (line breaks too), every
 * other character itself. Its literal parts are found left to right — the first at the start, the last at the end —
 * so a test costs a scan of the path, whatever the pattern: a regular expression of several `.*` backtracks
 * polynomially on a long path that almost matches, in the processor's loop.
 */
function globMatcher(pattern: string): (text: string) => boolean {
  const parts = pattern.split('*');
  const first = parts[0];
  const last = parts[parts.length - 1];
  const middle = parts.slice(1, -1);
  if (parts.length === 1) return (text) => text === pattern;
  return (text) => {
    if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last))
      return false;
    let at = first.length;
    const end = text.length - last.length;
    for (const part of middle) {
      const found = text.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

function makeBits(keys: readonly string[]): VisitGoalBits {
  const index = new Map(keys.map((k, i) => [k, i]));
  // Each bit's test over the row's lists, as the queries' LIKE has it.
  const tests = keys.map((key) => {
    const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'event')
      return (_pages: readonly string[], types: readonly string[]) => types.includes(value);
    const matches = globMatcher(value);
    return (pages: readonly string[]) => pages.some(matches);
  });
  return {
    epoch: fnv1a(keys.join('\n')) || 1,
    keys,
    bitOf: (goal) => (goal.conditions?.length ? undefined : index.get(keyOf(goal))),
    maskOf(pages, eventTypes) {
      let mask = 0n;
      for (let i = 0; i < tests.length; i++) if (tests[i](pages, eventTypes)) mask |= 1n << BigInt(i);
      return mask;
    },
  };
}

/**
 * `goal_mask` over a `visits` row, for the mutation that stamps stored rows: each bit the condition the queries
 * read from the lists (src/query/goals.ts), its values as parameters `vgb_<i>`.
 */
export function maskSql(bits: VisitGoalBits): { sql: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const terms = bits.keys.map((key, i) => {
    const colon = key.indexOf(':');
    const [kind, value] = [key.slice(0, colon), key.slice(colon + 1)];
    params[`vgb_${i}`] = kind === 'page' ? patternToLike(value) : value;
    const test =
      kind === 'page'
        ? `arrayExists(p -> p LIKE {vgb_${i}:String}, pages)`
        : `has(event_types, {vgb_${i}:String})`;
    return `bitShiftLeft(toUInt64(${test}), ${i})`;
  });
  return { sql: terms.join(' + '), params };
}
