/**
 * Route querystrings and JSON bodies checked by JSON Schema through the shared Ajv (src/config/json-schema.ts), with
 * its people-worded hints. A route opts in with `...routeSchema({ querystring, body })`.
 *
 * The check runs before the handler but does not answer by itself (`attachValidation`): the handler authenticates
 * first — an anonymous caller gets 401, not a list of its parameter mistakes — and then reads `inputOf()` and
 * `inputProblems()`, so the schema's problems and the route's own (a time zone that does not exist, a site name
 * taken) go out in one 400, in the route group's error shape.
 *
 * Querystrings: every parameter is one value (a repeated one "is given more than once"); an empty one is absent; a
 * property typed `integer` or `boolean` is read from its text with the one rule of src/config/text-values.ts. Unknown
 * parameters are kept and ignored (clients send cache-busters). Bodies: a missing body is `{}`.
 */
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { compileSchema, type SchemaIssue, type SchemaObject } from '../config/json-schema.ts';
import { boolFromText, wholeNumberFromText } from '../config/text-values.ts';

type Part = 'querystring' | 'body';
type Fields = Record<string, unknown>;

/** What a route's input failed: the issues, and the input without the fields they concern. */
export class RouteInputError extends Error {
  readonly part: Part;
  readonly issues: SchemaIssue[];
  readonly value: Fields;
  constructor(part: Part, issues: SchemaIssue[], value: Fields) {
    super(issues.map((i) => `${i.path.replace(/^\./, '') || part}: ${i.message}`).join('; '));
    this.part = part;
    this.issues = issues;
    this.value = value;
  }
}

/** The route options that check `querystring` and `body` (either may be left out). */
export function routeSchema(schema: { querystring?: SchemaObject; body?: SchemaObject }) {
  return { schema, attachValidation: true, validatorCompiler: compileRoutePart };
}

const compileRoutePart: FastifySchemaCompiler<SchemaObject> = ({ schema, httpPart }) => {
  const check = compileSchema(schema);
  const part: Part = httpPart === 'body' ? 'body' : 'querystring';
  const properties = (schema.properties ?? {}) as Record<string, SchemaObject>;
  return (data: unknown) => {
    const { value, issues } =
      part === 'querystring'
        ? singleValues(data as Fields | null, properties)
        : { value: (data ?? {}) as Fields, issues: [] };
    issues.push(...check.issues(value));
    if (issues.length === 0) return { value };
    // The handler still runs (after authentication): it sees only the fields that passed.
    const clean = isFields(value) ? { ...value } : {};
    for (const issue of issues) if (issue.field !== undefined) delete clean[issue.field];
    return { error: new RouteInputError(part, issues, clean) };
  };
};

const isFields = (v: unknown): v is Fields => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One value per parameter, empty ones absent, integers and booleans read from their text. */
function singleValues(
  query: Fields | null,
  properties: Record<string, SchemaObject>,
): { value: Fields; issues: SchemaIssue[] } {
  // No prototype: a parameter named `__proto__` or `constructor` is a field like any other.
  const value: Fields = Object.create(null);
  const issues: SchemaIssue[] = [];
  for (const [name, raw] of Object.entries(query ?? {})) {
    if (Array.isArray(raw)) {
      issues.push({ path: `.${name}`, field: name, message: 'is given more than once', keyword: 'type' });
      continue;
    }
    if (raw === '' || raw === undefined) continue;
    value[name] = typeof raw === 'string' ? fromText(raw, properties[name]?.type) : raw;
  }
  return { value, issues };
}

/** Text as the schema's type, when it reads as one; otherwise the text, which the schema then refuses. */
function fromText(raw: string, type: unknown): unknown {
  if (type === 'integer') return wholeNumberFromText(raw) ?? raw;
  if (type === 'boolean') return boolFromText(raw) ?? raw;
  return raw;
}

/** The checked input of `part`: on a failed check, the fields that passed. */
export function inputOf<T extends object = Fields>(request: FastifyRequest, part: Part): T {
  const failed = request.validationError;
  if (failed instanceof RouteInputError && failed.part === part) return failed.value as T;
  return ((part === 'body' ? request.body : request.query) ?? {}) as T;
}

/** The schema's problems with the request, each naming its parameter or field (`steps`, `domains[2]`). */
export function inputProblems(request: FastifyRequest): Array<{ param: string; message: string }> {
  const failed = request.validationError;
  if (failed === undefined) return [];
  if (!(failed instanceof RouteInputError)) throw failed;
  return failed.issues.map((i) => ({ param: i.path.replace(/^\./, '') || failed.part, message: i.message }));
}
