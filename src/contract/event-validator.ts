/**
 * Synchronous schema checks at the door: a client must learn at once that a payload is bad.
 * Schemas are compiled once (Ajv); problems are reported per field and, for batches, per index.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajv } from '../config/json-schema.ts';
import type { FieldProblem } from './field-problem.ts';

export type SchemaObject = Record<string, unknown>;

export interface EventValidator {
  /** Returns the problems of one event (empty when valid). */
  check(event: unknown, index?: number): FieldProblem[];
}

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    return path ? `${path}.${missing}` : missing;
  }
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty: string }).additionalProperty);
    return path ? `${path}.${extra}` : extra;
  }
  return path || '(event)';
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not a known field';
  return error.message ?? 'is invalid';
}

/** `extra` runs after the schema passed, for checks JSON Schema cannot express (dates, embedded JSON). */
export function compileValidator(
  schema: SchemaObject,
  extra?: (event: Record<string, unknown>) => Array<{ field: string; message: string }>,
): EventValidator {
  const validate: ValidateFunction = ajv.compile(schema);
  return {
    check(event, index) {
      if (!validate(event)) {
        return (validate.errors ?? []).map((e) => ({ index, field: fieldOf(e), message: messageOf(e) }));
      }
      return extra ? extra(event as Record<string, unknown>).map((p) => ({ index, ...p })) : [];
    },
  };
}

/** Accepts ISO 8601 (a missing zone means UTC) or epoch milliseconds; returns ms or NaN. */
export function parseEventTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value !== 'string') return Number.NaN;
  const s = value.trim();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s))
    return Date.parse(`${s.replace(' ', 'T')}Z`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Date.parse(`${s}T00:00:00Z`);
  return Date.parse(s);
}

/** Earliest and latest event time accepted (clock skew of badly set devices is tolerated up to a day ahead). */
export function checkEventTime(
  value: unknown,
  field: string,
  now = Date.now(),
): Array<{ field: string; message: string }> {
  if (value === undefined || value === null) return [];
  const ms = parseEventTime(value);
  if (Number.isNaN(ms))
    return [{ field, message: 'is not a date (use ISO 8601, e.g. 2024-04-17T04:04:12Z, or epoch ms)' }];
  if (ms < Date.UTC(2000, 0, 1)) return [{ field, message: 'is before 2000-01-01' }];
  if (ms > now + 86_400_000) return [{ field, message: 'is more than a day in the future' }];
  return [];
}
