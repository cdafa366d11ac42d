/**
 * A goal as an admin sends it (`POST /api/v1/goals`, `PATCH /api/v1/goals/:id`), checked field by field so one 400
 * names every problem. Page patterns follow SIGHTLINE_GOALS: a path from `/`, `*` = any run of characters.
 */
import type { GoalPropertyCondition, GoalSpec } from '../query/goal-spec.ts';
import type { FieldProblem } from './errors.ts';

export const MAX_CONDITIONS = 10;
export const MAX_NAME = 100;
export const MAX_VALUE = 500;
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

/** A goal as the schema lets it through (src/goals/goal-schemas.ts): each field present has its type and length. */
export interface GoalBody {
  kind?: GoalSpec['kind'];
  value?: string;
  name?: string;
  conditions?: Array<{ key: string; op?: GoalPropertyCondition['op']; value: string }> | null;
}

/** Text without its surrounding space; control characters are a problem of `field`. */
function trimmed(v: string | undefined, field: string, problems: FieldProblem[]): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (hasControl(t)) problems.push({ field, message: 'must not contain control characters' });
  return t;
}

function conditionsOf(raw: GoalBody['conditions'], problems: FieldProblem[]): GoalPropertyCondition[] {
  const out: GoalPropertyCondition[] = [];
  for (const [i, c] of (raw ?? []).entries()) {
    const key = c.key.trim();
    if (!key || hasControl(key))
      problems.push({ field: `conditions[${i}].key`, message: 'the property name is required' });
    if (hasControl(c.value))
      problems.push({
        field: `conditions[${i}].value`,
        message: `a string of at most ${MAX_VALUE} characters`,
      });
    if (key) out.push({ key, op: c.op ?? 'is', value: c.value });
  }
  return out;
}

/**
 * The goal a body describes; on an edit (`base`), the fields it leaves out keep their values. Uniqueness is the
 * registry's to check (it knows the other goals). Undefined when no kind is known (the schema named why).
 */
export function parseGoalInput(
  body: GoalBody,
  problems: FieldProblem[],
  base?: GoalInput,
): GoalInput | undefined {
  const kind = body.kind ?? base?.kind;
  if (kind === undefined) return undefined;
  const value = trimmed(body.value, 'value', problems) ?? base?.value ?? '';
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
  const named = trimmed(body.name, 'name', problems);
  // An edit that changes the definition but not the name renames a goal whose name was the default.
  const keepName =
    base && named === undefined && base.name !== defaultName(base.kind, base.value, base.conditions);
  const name = named || (keepName ? base.name : defaultName(kind, value, conditions));
  return { name, kind, value, conditions };
}
