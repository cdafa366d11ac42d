/**
 * The building blocks of a settings section: each stage declares its own section (`src/<stage>/<stage>.settings.ts`)
 * from these, and `config-schema.ts` composes the sections. Only leaf modules of `config/` are imported here, so
 * any stage may import this file without closing a loop through the composition.
 */
import { boolFromText, wholeNumberFromText } from './text-values.ts';

export class ConfigValueError extends Error {}

export interface FieldSpec<T> {
  env: string;
  /** Default as a user would type it in the env variable; `undefined` = unset. */
  default: string | undefined;
  description: string;
  /** Reads the text of the env variable, the default, or a scalar of the config file. */
  parse: (raw: string) => T;
  /**
   * Reads a structured value (object or list) of the config file as it is, so it is never turned into JSON text
   * and parsed again. Without it a list of scalars is joined with commas for `parse`.
   */
  parseValue?: (value: unknown) => T;
}

/** A settings section: setting key → its field. */
export type Section = Record<string, FieldSpec<unknown>>;

/** The typed values of a section, as `loadConfig` returns them. */
export type SettingsOf<S> = { [K in keyof S]: S[K] extends FieldSpec<infer T> ? T : never };

export function field<T>(spec: FieldSpec<T>): FieldSpec<T> {
  return spec;
}

export function integer(min: number, max: number) {
  return (raw: string): number => {
    const n = wholeNumberFromText(raw);
    if (n === undefined) throw new ConfigValueError(`expected a whole number, got "${raw}"`);
    if (n < min || n > max) throw new ConfigValueError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T => {
    const v = raw.trim().toLowerCase() as T;
    if (!values.includes(v)) throw new ConfigValueError(`expected one of ${values.join(', ')}, got "${raw}"`);
    return v;
  };
}

export function text(raw: string): string {
  return raw.trim();
}

/** Comma-separated values, trimmed, empty ones dropped; `lower` for case-insensitive names. */
export function list(lower = false) {
  return (raw: string): string[] =>
    raw
      .split(',')
      .map((s) => (lower ? s.trim().toLowerCase() : s.trim()))
      .filter(Boolean);
}

export function bool(raw: string): boolean {
  const v = boolFromText(raw);
  if (v === undefined) throw new ConfigValueError(`expected true or false, got "${raw}"`);
  return v;
}

export function secret(minBytes: number) {
  return (raw: string): string => {
    if (Buffer.byteLength(raw) < minBytes)
      throw new ConfigValueError(`must be at least ${minBytes} bytes long (got ${Buffer.byteLength(raw)})`);
    return raw;
  };
}
