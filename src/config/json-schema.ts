/**
 * JSON Schema for what operators and clients write (collector payloads, alert rules, report specs, the forward
 * config, the CDC agent's options): one Ajv instance, and problems worded for people. A property's schema carries
 * `hint`, the text reported when that property is wrong or missing (`{got}` becomes the value given), or one text
 * per failed keyword (`{type: "…", pattern: "…", default: "…"}`); an object's
 * schema carries `unknownHint` for a field it does not know (`{known}` becomes its fields). Each problem reads
 * `<at>.<field>: <hint>`, one per field, unknown fields first and then in the schema's field order; `missingHint`
 * replaces `hint` when a required field is absent.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** Shared by every schema in the code base (compiled once each, at import). */
export const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: 'hint', schemaType: ['string', 'object'] });
ajv.addKeyword({ keyword: 'unknownHint', schemaType: 'string' });
ajv.addKeyword({ keyword: 'missingHint', schemaType: 'string' });

export type SchemaObject = Record<string, unknown>;

export interface SchemaIssue {
  /** Where: `.field[2].other` below the checked value ('' for the value itself). */
  path: string;
  /** The top-level field it concerns, if any. */
  field?: string;
  /** The hint (or Ajv's own message where the schema gives none). */
  message: string;
  /** The JSON Schema keyword that failed (`additionalProperties` for a field the schema does not know). */
  keyword: string;
}

export interface SchemaCheck {
  /** The problems of `value`, each `<at><path>: <message>` (e.g. `alerts[0].kind: …`); empty when it is valid. */
  problems(value: unknown, at: string): string[];
  /** The same, unformatted, in the same order. */
  issues(value: unknown): SchemaIssue[];
}

export function compileSchema(schema: SchemaObject): SchemaCheck {
  const validate: ValidateFunction = ajv.compile(schema);
  const issues = (value: unknown): SchemaIssue[] => {
    if (validate(value)) return [];
    const seen = new Set<string>();
    const out: Array<SchemaIssue & { order: number[] }> = [];
    for (const error of validate.errors ?? []) {
      // An `if` that failed its `then` only repeats the errors of the `then`.
      if (error.keyword === 'if') continue;
      const issue = describe(schema, value, error);
      // One problem per field: the first that names it (a wrong type also fails its pattern, its range, …).
      if (seen.has(issue.path)) continue;
      seen.add(issue.path);
      out.push(issue);
    }
    return out.sort((a, b) => compareOrder(a.order, b.order)).map(({ order: _, ...issue }) => issue);
  };
  return {
    issues,
    problems: (value, at) => issues(value).map((i) => `${at}${i.path}: ${i.message}`),
  };
}

type Segment = string | number;

/** Where the error is (as `.field[2].other`), its order among the problems, and the hint it reports. */
function describe(root: SchemaObject, value: unknown, error: ErrorObject): SchemaIssue & { order: number[] } {
  const instance: Segment[] = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const { node, hinted, depth } = schemaAt(root, error.schemaPath);
  let field: Segment[] = instance;
  let hint: string | undefined;
  let order: number[];
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty: string }).additionalProperty);
    field = [...instance, extra];
    const known = Object.keys((node.properties ?? {}) as SchemaObject).join(', ');
    hint = String(node.unknownHint ?? 'unknown field; known: {known}').replace('{known}', known);
    order = [...orderOf(root, instance), -1];
  } else if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    field = [...instance, missing];
    const property = ((node.properties ?? {}) as Record<string, SchemaObject>)[missing];
    hint = typeof property?.missingHint === 'string' ? property.missingHint : hintOf(property, 'required');
    order = orderOf(root, field);
  } else {
    hint = hintOf(hinted, error.keyword);
    // A problem inside a hinted field (an item of a list) is that field's problem.
    if (hinted) field = instance.slice(0, depth);
    order = orderOf(root, field);
  }
  const got = valueAt(value, field);
  const message = (hint ?? error.message ?? 'is invalid').replaceAll(
    '{got}',
    JSON.stringify(got) ?? 'nothing',
  );
  const top = field[0];
  return {
    path: pathText(field),
    ...(typeof top === 'string' ? { field: top } : {}),
    message,
    keyword: error.keyword,
    order,
  };
}

const hasHint = (node: SchemaObject) => node.hint !== undefined;

/** The node's hint for a failed keyword: its one hint, or the one for that keyword, or its `default`. */
function hintOf(node: SchemaObject | undefined, keyword?: string): string | undefined {
  const hint = node?.hint;
  if (typeof hint === 'string') return hint;
  if (hint === null || typeof hint !== 'object') return undefined;
  const byKeyword = hint as Record<string, unknown>;
  const text = (keyword !== undefined ? byKeyword[keyword] : undefined) ?? byKeyword.default;
  return typeof text === 'string' ? text : undefined;
}

/**
 * The schema node holding the failed keyword, and the nearest node at or above it (below the last property step)
 * that carries a hint — for `#/properties/to/anyOf/0/type` that is the `to` property — with the number of
 * instance steps (properties, items) down to that node.
 */
function schemaAt(
  root: SchemaObject,
  schemaPath: string,
): { node: SchemaObject; hinted?: SchemaObject; depth: number } {
  const steps = schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean);
  steps.pop(); // the keyword itself
  let node: SchemaObject = root;
  let hinted: SchemaObject | undefined = hasHint(root) ? root : undefined;
  let depth = 0;
  let hintedDepth = 0;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const next = (node as Record<string, unknown>)[step];
    if (next === undefined || next === null || typeof next !== 'object') break;
    node = next as SchemaObject;
    if (step === 'properties') {
      // The next step is the property's name: one step down in the instance.
      const property = (node as Record<string, unknown>)[steps[++i]];
      if (property === undefined || property === null || typeof property !== 'object') break;
      node = property as SchemaObject;
      depth++;
      hinted = undefined;
    } else if (step === 'items') {
      // An item of a hinted list is reported as the list's problem.
      depth++;
    }
    if (!Array.isArray(node) && hasHint(node)) {
      hinted = node;
      hintedDepth = depth;
    }
  }
  return { node, hinted, depth: hintedDepth };
}

/**
 * Problems are listed in document order: items by index, fields in the order the schema declares them (a field it
 * does not know before all others), so a message reads like the setting.
 */
function orderOf(root: SchemaObject, field: Segment[]): number[] {
  const order: number[] = [];
  let node: SchemaObject | undefined = root;
  for (const s of field) {
    if (typeof s === 'number') {
      order.push(s);
      node = node?.items as SchemaObject | undefined;
      continue;
    }
    const properties = (node?.properties ?? {}) as Record<string, SchemaObject>;
    const index = Object.keys(properties).indexOf(s);
    order.push(index < 0 ? Number.MAX_SAFE_INTEGER : index);
    node = properties[s];
  }
  return order;
}

function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function valueAt(value: unknown, field: Segment[]): unknown {
  let v = value;
  for (const s of field)
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function pathText(field: Segment[]): string {
  return field.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}

/** `{if, then, else}` — built here so schema objects elsewhere need no `then` key (a thenable by accident). */
export function when(condition: SchemaObject, then: SchemaObject, otherwise?: SchemaObject): SchemaObject {
  const schema: SchemaObject = { if: condition };
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword; the object is never awaited.
  schema.then = then;
  if (otherwise) schema.else = otherwise;
  return schema;
}
