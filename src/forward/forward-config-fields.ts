/** Readers of the JSON in `SIGHTLINE_FORWARD`: each failure names the field (`rules[2].sample`) and the fix. */

/** A problem in `SIGHTLINE_FORWARD`; config.ts reports its message with the variable's name. */
export class ForwardConfigError extends Error {}

export type Json = Record<string, unknown>;

export function fail(at: string, message: string): never {
  throw new ForwardConfigError(`${at}: ${message}`);
}

export function object(value: unknown, at: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(at, 'expected an object');
  return value as Json;
}

export function list(value: unknown, at: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(at, 'expected a list');
  return value;
}

export function onlyKeys(o: Json, allowed: readonly string[], at: string): void {
  for (const key of Object.keys(o))
    if (!allowed.includes(key)) fail(`${at}.${key}`, `unknown key; known: ${allowed.join(', ')}`);
}

export function str(o: Json, key: string, at: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) fail(`${at}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') fail(`${at}.${key}`, `expected text, got ${JSON.stringify(v)}`);
  return v;
}

export function int(o: Json, key: string, at: string, fallback: number, min: number, max: number): number {
  const v = o[key];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    fail(`${at}.${key}`, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}
