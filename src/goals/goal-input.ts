/**
 * A goal as an admin sends it (`POST /api/v1/goals`, `PATCH /api/v1/goals/:id`), checked field by field so one 400
 * names every problem. Page patterns follow SIGHTLINE_GOALS: a path from `/`, `*` = any run of characters.
 */
import type { GoalPropertyCondition, GoalSpec } from '../query/goal-spec.ts';
import type { FieldProblem } from './errors.ts';

export const MAX_CONDITIONS = 10;
const MAX_NAME = 100;
const MAX_VALUE = 500;
const MAX_STARS = 10;
/** Control characters never belong in a type, a path or a name (they only hide what a value says). */
export function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export interface GoalInput {
  name: string;
  kind: GoalSpec['kind'];
  value: string;
  conditions: readonly GoalPropertyCondition[];
}

/** The name a goal gets when none is given: as SIGHTLINE_GOALS names them, conditions in brackets. */
export function defaultName(
  kind: string,
  value: string,
  conditions: readonly GoalPropertyCondition[],
): string {
  const tests = conditions.map((c) => `${c.key}${c.op === 'is' ? '=' : '!='}${c.value}`);
  return `${kind}:${value}${tests.length ? ` [${tests.join(', ')}]` : ''}`;
}

/** The same goal whatever its name: kind, value and the conditions in a fixed order. */
export function definitionKey(goal: Pick<GoalSpec, 'kind' | 'value' | 'conditions'>): string {
  const conditions = [...(goal.conditions ?? [])]
    .map((c) => [c.key, c.op, c.value])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return JSON.stringify([goal.kind, goal.value, conditions]);
}

export function pagePatternProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return 'a page pattern is a path starting with "/" (e.g. /thanks*)';
  if (pattern.includes('**'))
    return '"**" is not a wildcard here; one "*" already matches any run of characters';
  if ((pattern.match(/\*/g) ?? []).length > MAX_STARS) return `at most ${MAX_STARS} "*" wildcards`;
  if (/\s/.test(pattern) || hasControl(pattern)) return 'a path has no spaces or control characters';
  return undefined;
}

function text(
  body: Record<string, unknown>,
  field: string,
  max: number,
  problems: FieldProblem[],
): string | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    problems.push({ field, message: 'must be a string' });
    return undefined;
  }
  const t = v.trim();
  if (t.length > max) problems.push({ field, message: `at most ${max} characters` });
  else if (hasControl(t)) problems.push({ field, message: 'must not contain control characters' });
  return t;
}

function conditionsOf(raw: unknown, problems: FieldProblem[]): GoalPropertyCondition[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_CONDITIONS) {
    problems.push({
      field: 'conditions',
      message: `an array of at most ${MAX_CONDITIONS} {"key","op","value"} property conditions`,
    });
    return [];
  }
  const out: GoalPropertyCondition[] = [];
  for (const [i, c] of raw.entries()) {
    const field = `conditions[${i}]`;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) {
      problems.push({ field, message: 'must be {"key":"plan","op":"is","value":"pro"}' });
      continue;
    }
    const item = c as Record<string, unknown>;
    const key = text(item, 'key', 200, []);
    const value = item.value;
    const op = item.op ?? 'is';
    if (!key || hasControl(key))
      problems.push({ field: `${field}.key`, message: 'the property name is required' });
    if (op !== 'is' && op !== 'is_not')
      problems.push({ field: `${field}.op`, message: 'must be "is" or "is_not"' });
    if (typeof value !== 'string' || value.length > MAX_VALUE || hasControl(value))
      problems.push({ field: `${field}.value`, message: `a string of at most ${MAX_VALUE} characters` });
    if (key && (op === 'is' || op === 'is_not') && typeof value === 'string') out.push({ key, op, value });
  }
  return out;
}

/**
 * The goal a body describes; on an edit (`base`), the fields it leaves out keep their values. Uniqueness is the
 * registry's to check (it knows the other goals).
 */
export function parseGoalInput(
  raw: unknown,
  problems: FieldProblem[],
  base?: GoalInput,
): GoalInput | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ field: 'body', message: 'must be a JSON object' });
    return undefined;
  }
  const body = raw as Record<string, unknown>;
  const kind = body.kind ?? base?.kind;
  if (kind !== 'event' && kind !== 'page') {
    problems.push({ field: 'kind', message: 'must be "event" (an event type) or "page" (a path pattern)' });
    return undefined;
  }
  const value = text(body, 'value', MAX_VALUE, problems) ?? base?.value ?? '';
  if (value === '')
    problems.push({
      field: 'value',
      message: kind === 'event' ? 'the event type is required (e.g. signup)' : 'the page pattern is required',
    });
  else if (kind === 'page') {
    const why = pagePatternProblem(value);
    if (why) problems.push({ field: 'value', message: why });
  }
  const conditions =
    body.conditions !== undefined ? conditionsOf(body.conditions, problems) : (base?.conditions ?? []);
  if (kind === 'page' && conditions.length > 0)
    problems.push({ field: 'conditions', message: 'only event goals test event properties' });
  const named = text(body, 'name', MAX_NAME, problems);
  // An edit that changes the definition but not the name renames a goal whose name was the default.
  const keepName =
    base && named === undefined && base.name !== defaultName(base.kind, base.value, base.conditions);
  const name = named || (keepName ? base.name : defaultName(kind, value, conditions));
  return { name, kind, value, conditions };
}
