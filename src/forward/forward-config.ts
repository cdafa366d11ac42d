/**
 * `SIGHTLINE_FORWARD` (a `forward:` key in a config file): destinations, the rules that pick events for them, and
 * periodic aggregate pushes. Parsed once at start; every problem names its field (`destinations[1].url`) and the fix,
 * because a typo in a rule would otherwise forward nothing, silently.
 */
import { type Condition, compileCondition } from './prop-condition.ts';

export const DESTINATION_TYPES = ['webhook', 'mixpanel', 'segment'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

export interface DestinationSpec {
  name: string;
  type: DestinationType;
  url: string;
  /** Webhook: HMAC-SHA256 key of the `X-Sightline-Signature` header (no header without it). */
  secret?: string;
  /** Mixpanel: the project token (Basic auth user). */
  token?: string;
  /** Segment: the source's write key (Basic auth user). */
  writeKey?: string;
  batchSize: number;
  /** Requests per second (token bucket; bursts up to one second's worth). */
  ratePerSecond: number;
  /** Attempts of one batch before its events go to `forward_dead_letters`. */
  maxAttempts: number;
  timeoutMs: number;
  /** First retry delay; it doubles per attempt up to `backoffMaxMs` (full jitter: a random delay up to that). */
  backoffMs: number;
  backoffMaxMs: number;
}

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

const DEFAULT_URLS: Partial<Record<DestinationType, string>> = {
  mixpanel: 'https://api.mixpanel.com/import',
  segment: 'https://api.segment.io/v1/batch',
};

/** A problem in `SIGHTLINE_FORWARD`; config.ts reports its message with the variable's name. */
export class ForwardConfigError extends Error {}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;
const PROJECT = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

type Json = Record<string, unknown>;

function fail(at: string, message: string): never {
  throw new ForwardConfigError(`${at}: ${message}`);
}

function object(value: unknown, at: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(at, 'expected an object');
  return value as Json;
}

function list(value: unknown, at: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(at, 'expected a list');
  return value;
}

function onlyKeys(o: Json, allowed: readonly string[], at: string): void {
  for (const key of Object.keys(o))
    if (!allowed.includes(key)) fail(`${at}.${key}`, `unknown key; known: ${allowed.join(', ')}`);
}

function str(o: Json, key: string, at: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) fail(`${at}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') fail(`${at}.${key}`, `expected text, got ${JSON.stringify(v)}`);
  return v;
}

function int(o: Json, key: string, at: string, fallback: number, min: number, max: number): number {
  const v = o[key];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    fail(`${at}.${key}`, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

function parseDestination(value: unknown, at: string): DestinationSpec {
  const o = object(value, at);
  onlyKeys(
    o,
    [
      'name',
      'type',
      'url',
      'secret',
      'token',
      'writeKey',
      'batchSize',
      'ratePerSecond',
      'maxAttempts',
      'timeoutMs',
      'backoffMs',
      'backoffMaxMs',
    ],
    at,
  );
  const name = str(o, 'name', at, true) as string;
  if (!NAME.test(name)) fail(`${at}.name`, `"${name}" must be 1-64 letters, digits, "_" or "-"`);
  const type = str(o, 'type', at, true) as DestinationType;
  if (!DESTINATION_TYPES.includes(type))
    fail(`${at}.type`, `expected one of ${DESTINATION_TYPES.join(', ')}, got "${type}"`);
  const url = str(o, 'url', at, DEFAULT_URLS[type] === undefined) ?? (DEFAULT_URLS[type] as string);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    fail(`${at}.url`, `expected an http(s):// URL, got "${url}"`);
  const spec: DestinationSpec = {
    name,
    type,
    url,
    batchSize: int(o, 'batchSize', at, type === 'mixpanel' ? 2000 : 100, 1, 10_000),
    ratePerSecond: int(o, 'ratePerSecond', at, 10, 1, 10_000),
    maxAttempts: int(o, 'maxAttempts', at, 10, 1, 1000),
    timeoutMs: int(o, 'timeoutMs', at, 10_000, 100, 600_000),
    backoffMs: int(o, 'backoffMs', at, 500, 1, 600_000),
    backoffMaxMs: int(o, 'backoffMaxMs', at, 60_000, 1, 3_600_000),
  };
  if (spec.backoffMaxMs < spec.backoffMs)
    fail(`${at}.backoffMaxMs`, `must not be below backoffMs (${spec.backoffMs})`);
  const secret = str(o, 'secret', at, false);
  if (secret !== undefined) {
    if (type !== 'webhook') fail(`${at}.secret`, 'only webhook destinations sign their requests');
    if (Buffer.byteLength(secret) < 16) fail(`${at}.secret`, 'must be at least 16 bytes long');
    spec.secret = secret;
  }
  const token = str(o, 'token', at, type === 'mixpanel');
  if (token !== undefined) {
    if (type !== 'mixpanel') fail(`${at}.token`, 'is the Mixpanel project token; use it on type mixpanel');
    spec.token = token;
  }
  const writeKey = str(o, 'writeKey', at, type === 'segment');
  if (writeKey !== undefined) {
    if (type !== 'segment') fail(`${at}.writeKey`, 'is the Segment write key; use it on type segment');
    spec.writeKey = writeKey;
  }
  return spec;
}

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
      return t;
    });
    if (types.length === 0) fail(`${at}.types`, 'an empty list matches nothing; leave it out to match all');
  }
  const sample = o.sample === undefined ? 1 : typeof o.sample === 'string' ? Number(o.sample) : o.sample;
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
