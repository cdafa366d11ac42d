/**
 * `SIGHTLINE_FORWARD` (a `forward:` key in a config file): destinations, the rules that pick events for them, and
 * periodic aggregate pushes. Parsed once at start; every problem names its field (`destinations[1].url`) and the fix,
 * because a typo in a rule would otherwise forward nothing, silently.
 */

import type { SchemaObject } from '../config/json-schema.ts';
import { canonicalType } from '../process/event-row.ts';
import { RULE_COLUMNS } from '../store/event-columns.ts';
import { type DestinationSpec, parseDestination } from './destination-spec.ts';
import {
  checkShape,
  compileSchema,
  ForwardConfigError,
  fail,
  type Json,
  numbersFromText,
  OBJECT_HINT,
  OPTIONAL_TEXT,
  objectOr,
  REQUIRED_TEXT,
  strictObject,
  textOf,
} from './forward-config-fields.ts';
import { type Condition, compileCondition } from './prop-condition.ts';

export type { DestinationSpec, DestinationType } from './destination-spec.ts';
export { ForwardConfigError } from './forward-config-fields.ts';

export interface RuleSpec {
  destination: string;
  project?: string;
  types?: string[];
  /** Conditions on the event's properties (`props`), all of which must hold. */
  props: Array<{ key: string; condition: Condition }>;
  /** Conditions on canonical fields (`path`, `host`, `country`, `user_id`, …). */
  fields: Array<{ key: string; condition: Condition }>;
  /** Share of matching events forwarded, chosen by a hash of the event id (the same choice on a redelivery). */
  sample: number;
}

export const AGGREGATE_METRICS = ['per-user-totals'] as const;

export interface AggregateSpec {
  destination: string;
  every: 'day' | 'hour';
  metric: (typeof AGGREGATE_METRICS)[number];
  project: string;
}

export interface ForwardConfig {
  destinations: DestinationSpec[];
  rules: RuleSpec[];
  aggregates: AggregateSpec[];
}

/** Canonical fields a rule's `fields` may test (what the forwarded event carries; src/store/event-columns.ts). */
export const RULE_FIELDS: readonly string[] = RULE_COLUMNS;

const PROJECT = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;
const projectText = (required: boolean) => ({
  ...(required ? REQUIRED_TEXT : OPTIONAL_TEXT),
  pattern: `^(?:${PROJECT.source.slice(1, -1)})?$`,
  hint: {
    ...(required ? REQUIRED_TEXT.hint : { default: OPTIONAL_TEXT.hint }),
    pattern: '{got} is not a project name',
  },
});
const list = (items: SchemaObject) => ({ type: 'array', hint: 'expected a list', items });

/** The shape of the whole setting; destinations are checked by destination-spec.ts, names and conditions here. */
const FORWARD = compileSchema(
  strictObject({
    destinations: { type: 'array', hint: 'expected a list' },
    rules: list(
      strictObject(
        {
          destination: REQUIRED_TEXT,
          project: projectText(false),
          types: {
            type: ['string', 'array'],
            minItems: 1,
            items: { type: 'string', minLength: 1, hint: 'expected an event type' },
            hint: {
              type: 'expected a list',
              minItems: 'an empty list matches nothing; leave it out to match all',
            },
          },
          props: { type: 'object', hint: OBJECT_HINT },
          fields: { type: 'object', hint: OBJECT_HINT },
          sample: { type: 'number', minimum: 0, maximum: 1, hint: 'expected a share from 0 to 1, got {got}' },
        },
        { required: ['destination'] },
      ),
    ),
    aggregates: list(
      strictObject(
        {
          destination: REQUIRED_TEXT,
          every: { enum: ['day', 'hour', '', null], hint: 'expected day or hour, got {got}' },
          metric: {
            enum: [...AGGREGATE_METRICS, '', null],
            hint: `expected one of ${AGGREGATE_METRICS.join(', ')}, got {got}`,
          },
          project: projectText(true),
        },
        { required: ['destination', 'project'] },
      ),
    ),
  }),
);

function parseConditions(value: unknown, at: string, allowed?: readonly string[]) {
  return Object.entries(objectOr(value)).map(([key, raw]) => {
    if (allowed && !allowed.includes(key))
      fail(`${at}.${key}`, `not a field rules can test; known: ${allowed.join(', ')}`);
    return { key, condition: compileCondition(raw, `${at}.${key}`) };
  });
}

function knownDestination(o: Json, at: string, destinations: ReadonlySet<string>, none = ''): string {
  const destination = o.destination as string;
  if (!destinations.has(destination))
    fail(
      `${at}.destination`,
      `"${destination}" is not a destination; known: ${[...destinations].join(', ') || none}`,
    );
  return destination;
}

function parseRule(o: Json, at: string, destinations: ReadonlySet<string>): RuleSpec {
  const destination = knownDestination(o, at, destinations, '(none)');
  const project = textOf(o.project);
  let types: string[] | undefined;
  if (o.types !== undefined) {
    const raw = typeof o.types === 'string' ? o.types.split(',').map((t) => t.trim()) : (o.types as string[]);
    types = raw.map((t, i) => {
      if (t === '') fail(`${at}.types[${i}]`, 'expected an event type');
      // As stored: `page_view`, `$pageview`, … are all `pageview`.
      return canonicalType(t);
    });
  }
  return {
    destination,
    ...(project !== undefined ? { project } : {}),
    ...(types !== undefined ? { types } : {}),
    props: parseConditions(o.props, `${at}.props`),
    fields: parseConditions(o.fields, `${at}.fields`, RULE_FIELDS),
    sample: (o.sample as number | undefined) ?? 1,
  };
}

function parseAggregate(o: Json, at: string, destinations: ReadonlySet<string>): AggregateSpec {
  return {
    destination: knownDestination(o, at, destinations),
    every: (textOf(o.every) ?? 'day') as AggregateSpec['every'],
    metric: (textOf(o.metric) ?? 'per-user-totals') as AggregateSpec['metric'],
    project: o.project as string,
  };
}

export const NO_FORWARDING: ForwardConfig = { destinations: [], rules: [], aggregates: [] };

/** SIGHTLINE_FORWARD: the forwarding config as JSON text. */
export function parseForwardConfig(raw: string): ForwardConfig {
  if (raw.trim() === '') return NO_FORWARDING;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ForwardConfigError(
      `expected JSON like {"destinations":[…],"rules":[…]}: ${(err as Error).message}`,
    );
  }
  return forwardConfigOf(parsed);
}

/** The forwarding config as a value: the parsed JSON of SIGHTLINE_FORWARD, or a config file's `forward:` object. */
export function forwardConfigOf(value: unknown): ForwardConfig {
  let parsed = value;
  // Numbers written as text (a YAML string, an env value) are read before the schema looks at them.
  if (parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as Json).rules))
    parsed = {
      ...(parsed as Json),
      rules: ((parsed as Json).rules as unknown[]).map((r) => numbersFromText(r, [], ['sample'])),
    };
  checkShape(FORWARD, parsed, '', 'forward');
  const o = parsed as Json;
  const destinations = ((o.destinations ?? []) as unknown[]).map((d, i) =>
    parseDestination(d, `destinations[${i}]`),
  );
  const names = new Set<string>();
  destinations.forEach((d, i) => {
    if (names.has(d.name)) fail(`destinations[${i}].name`, `"${d.name}" is used twice`);
    names.add(d.name);
  });
  const rules = ((o.rules ?? []) as Json[]).map((r, i) => parseRule(r, `rules[${i}]`, names));
  const aggregates = ((o.aggregates ?? []) as Json[]).map((a, i) =>
    parseAggregate(a, `aggregates[${i}]`, names),
  );
  return { destinations, rules, aggregates };
}
