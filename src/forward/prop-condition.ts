/**
 * One condition of a forwarding rule on a property or field: a plain value means equality, or an object with one
 * operator — `{is: v}`, `{is_not: v}`, `{contains: "text"}`, `{matches: "regex"}`. Compiled once at start, so a
 * bad regex stops start-up instead of failing on every event.
 */

export type Condition = (value: unknown) => boolean;

const OPERATORS = ['is', 'is_not', 'contains', 'matches'] as const;

/** Values compare as text (`2` and `"2"` are equal; JSON props often carry numbers as strings). */
function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function scalar(value: unknown, at: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new Error(`${at}: expected text, a number or true/false, got ${JSON.stringify(value)}`);
}

export function compileCondition(raw: unknown, at: string): Condition {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const expected = scalar(raw, at);
    return (value) => asText(value) === expected;
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  const [op, operand] = entries[0] ?? [];
  if (entries.length !== 1 || !(OPERATORS as readonly string[]).includes(op))
    throw new Error(
      `${at}: expected a value or one of {${OPERATORS.join('|')}: …}, got ${JSON.stringify(raw)}`,
    );
  const expected = scalar(operand, `${at}.${op}`);
  switch (op) {
    case 'is':
      return (value) => asText(value) === expected;
    case 'is_not':
      return (value) => asText(value) !== expected;
    case 'contains':
      return (value) => asText(value)?.includes(expected) === true;
    default: {
      let re: RegExp;
      try {
        re = new RegExp(expected);
      } catch (err) {
        throw new Error(`${at}.matches: not a regular expression: ${(err as Error).message}`);
      }
      return (value) => {
        const text = asText(value);
        return text !== undefined && re.test(text);
      };
    }
  }
}
