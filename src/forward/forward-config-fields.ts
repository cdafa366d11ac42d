/**
 * Shared pieces of the `SIGHTLINE_FORWARD` schemas (forward-config.ts, destination-spec.ts): each failure names
 * the field (`rules[2].sample`) and the fix.
 */
import {
  compileSchema,
  type SchemaCheck,
  type SchemaIssue,
  type SchemaObject,
} from '../config/json-schema.ts';
import { decimalFromText, wholeNumberFromText } from '../config/text-values.ts';

/** A problem in `SIGHTLINE_FORWARD`; config.ts reports its message with the variable's name. */
export class ForwardConfigError extends Error {}

export type Json = Record<string, unknown>;

export function fail(at: string, message: string): never {
  throw new ForwardConfigError(`${at}: ${message}`);
}

/** Text that must be given (null and "" count as missing, as in a YAML file with an empty key). */
export const REQUIRED_TEXT = {
  type: ['string', 'null'],
  minLength: 1,
  not: { type: 'null' },
  hint: { type: 'expected text, got {got}', minLength: 'is required', not: 'is required' },
  missingHint: 'is required',
};

/** Text that may be left out (null and "" count as left out). */
export const OPTIONAL_TEXT = { type: ['string', 'null'], hint: 'expected text, got {got}' };

export const OBJECT_HINT = 'expected an object';

/** An object with these fields and no others; `known` lists them in the unknown-key message. */
export function strictObject(properties: Record<string, unknown>, extra: SchemaObject = {}): SchemaObject {
  return {
    type: 'object',
    hint: OBJECT_HINT,
    unknownHint: `unknown key; known: ${Object.keys(properties).join(', ')}`,
    properties,
    additionalProperties: false,
    ...extra,
  };
}

export const wholeNumber = (min: number, max: number) => ({
  type: 'integer',
  minimum: min,
  maximum: max,
  hint: `expected a whole number from ${min} to ${max}, got {got}`,
});

/** Numbers written as text (env, YAML strings) read by the one rule of config/text-values.ts, before the schema. */
export function numbersFromText(
  o: unknown,
  whole: readonly string[],
  decimal: readonly string[] = [],
): unknown {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
  const out: Json = { ...(o as Json) };
  for (const [keys, parse] of [
    [whole, wholeNumberFromText],
    [decimal, decimalFromText],
  ] as const)
    for (const key of keys) {
      const v = out[key];
      if (typeof v === 'string' && v.trim() !== '') out[key] = parse(v) ?? v;
    }
  return out;
}

/**
 * Throws every problem of `value` at once, each naming its field below `at` (`destinations[0]` + `.url`); a
 * problem of the value itself, or of a top-level key it does not know, is named after `self` (`forward.extra`).
 */
export function checkShape(check: SchemaCheck, value: unknown, at: string, self: string): void {
  const issues = check.issues(value);
  if (issues.length === 0) return;
  const where = (i: SchemaIssue) =>
    i.path === '' || (at === '' && i.keyword === 'additionalProperties' && i.path === `.${i.field}`)
      ? `${self}${i.path}`
      : `${at}${i.path}`.replace(/^\./, '');
  throw new ForwardConfigError(issues.map((i) => `${where(i)}: ${i.message}`).join('; '));
}

/** `{}` when absent; the schema made sure it is an object otherwise. */
export const objectOr = (value: unknown): Json => (value ?? {}) as Json;

/** Null and "" are left out, as `OPTIONAL_TEXT` says. */
export const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export { compileSchema };
