/**
 * `SIGHTLINE_FORWARD` (a `forward:` key in a config file): destinations, the rules that pick events for them, and
 * periodic aggregate pushes. Parsed once at start; every problem names its field (`destinations[1].url`) and the fix,
 * because a typo in a rule would otherwise forward nothing, silently.
 */
import { canonicalType } from '../process/event-row.ts';
import { type DestinationSpec, parseDestination } from './destination-spec.ts';
import { ForwardConfigError, fail, list, object, onlyKeys, str } from './forward-config-fields.ts';
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

/** Canonical fields a rule's `fields` may test (what the forwarded event carries). */
export const RULE_FIELDS = [
  'type',
  'project',
  'tenant_id',
  'user_id',
  'host',
  'path',
  'referrer',
  'referrer_source',
  'channel',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'locale',
  'app_version',
  'country',
  'region',
  'city',
  'browser',
  'os',
  'device_type',
  'is_bot',
  'protocol',
] as const;

const PROJECT = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

function parseConditions(value: unknown, at: string, allowed?: readonly string[]) {
  if (value === undefined) return [];
  const o = object(value, at);
  return Object.entries(o).map(([key, raw]) => {
    if (allowed && !allowed.includes(key))
      fail(`${at}.${key}`, `not a field rules can test; known: ${allowed.join(', ')}`);
    return { key, condition: compileCondition(raw, `${at}.${key}`) };
  });
}

function parseRule(value: unknown, at: string, destinations: ReadonlySet<string>): RuleSpec {
  const o = object(value, at);
  onlyKeys(o, ['destination', 'project', 'types', 'props', 'fields', 'sample'], at);
  const destination = str(o, 'destination', at, true) as string;
  if (!destinations.has(destination))
    fail(
      `${at}.destination`,
      `"${destination}" is not a destination; known: ${[...destinations].join(', ') || '(none)'}`,
    );
  const project = str(o, 'project', at, false);
  if (project !== undefined && !PROJECT.test(project))
    fail(`${at}.project`, `"${project}" is not a project name`);
  let types: string[] | undefined;
  if (o.types !== undefined) {
    const raw = typeof o.types === 'string' ? o.types.split(',').map((t) => t.trim()) : o.types;
    types = list(raw, `${at}.types`).map((t, i) => {
      if (typeof t !== 'string' || t === '') fail(`${at}.types[${i}]`, 'expected an event type');
      // As stored: `page_view`, `$pageview`, … are all `pageview`.
      return canonicalType(t);
    });
    if (types.length === 0) fail(`${at}.types`, 'an empty list matches nothing; leave it out to match all');
  }
  const sample =
    o.sample === undefined
      ? 1
      : typeof o.sample === 'string' && o.sample.trim() !== ''
        ? Number(o.sample)
        : o.sample;
  if (typeof sample !== 'number' || !(sample >= 0 && sample <= 1))
    fail(`${at}.sample`, `expected a share from 0 to 1, got ${JSON.stringify(o.sample)}`);
  return {
    destination,
    ...(project !== undefined ? { project } : {}),
    ...(types !== undefined ? { types } : {}),
    props: parseConditions(o.props, `${at}.props`),
    fields: parseConditions(o.fields, `${at}.fields`, RULE_FIELDS),
    sample,
  };
}

function parseAggregate(value: unknown, at: string, destinations: ReadonlySet<string>): AggregateSpec {
  const o = object(value, at);
  onlyKeys(o, ['destination', 'every', 'metric', 'project'], at);
  const destination = str(o, 'destination', at, true) as string;
  if (!destinations.has(destination))
    fail(
      `${at}.destination`,
      `"${destination}" is not a destination; known: ${[...destinations].join(', ')}`,
    );
  const every = (str(o, 'every', at, false) ?? 'day') as AggregateSpec['every'];
  if (every !== 'day' && every !== 'hour') fail(`${at}.every`, `expected day or hour, got "${every}"`);
  const metric = (str(o, 'metric', at, false) ?? 'per-user-totals') as AggregateSpec['metric'];
  if (!AGGREGATE_METRICS.includes(metric))
    fail(`${at}.metric`, `expected one of ${AGGREGATE_METRICS.join(', ')}, got "${metric}"`);
  const project = str(o, 'project', at, true) as string;
  if (!PROJECT.test(project)) fail(`${at}.project`, `"${project}" is not a project name`);
  return { destination, every, metric, project };
}

export const NO_FORWARDING: ForwardConfig = { destinations: [], rules: [], aggregates: [] };

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
  const o = object(parsed, 'forward');
  onlyKeys(o, ['destinations', 'rules', 'aggregates'], 'forward');
  const destinations = list(o.destinations, 'destinations').map((d, i) =>
    parseDestination(d, `destinations[${i}]`),
  );
  const names = new Set<string>();
  destinations.forEach((d, i) => {
    if (names.has(d.name)) fail(`destinations[${i}].name`, `"${d.name}" is used twice`);
    names.add(d.name);
  });
  const rules = list(o.rules, 'rules').map((r, i) => parseRule(r, `rules[${i}]`, names));
  const aggregates = list(o.aggregates, 'aggregates').map((a, i) =>
    parseAggregate(a, `aggregates[${i}]`, names),
  );
  return { destinations, rules, aggregates };
}
