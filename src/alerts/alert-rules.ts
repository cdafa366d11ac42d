/**
 * Alert rules as operators write them (SIGHTLINE_ALERTS, the `alerts:` key of a config file, or the dashboard's
 * form): checked field by field so one message names every problem and how to fix it.
 */
import { compileSchema, when } from '../config/json-schema.ts';
import { type Channel, channelOf, strings } from './alert-channels.ts';

export const RULE_KINDS = ['threshold', 'change', 'no_events', 'dead_letters'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
/** The stats metrics (as the overview computes them) and `logs`: the number of log lines matching `logs`. */
export const RULE_METRICS = [
  'visitors',
  'visits',
  'pageviews',
  'events',
  'bounce_rate',
  'visit_duration',
  'logs',
] as const;
export type RuleMetric = (typeof RULE_METRICS)[number];
export const NO_EVENTS_SOURCES = ['events', 'db_changes'] as const;

export interface LogMatch {
  levels?: string[];
  services?: string[];
  /** Words that must all appear in the message (case-insensitive). */
  text?: string;
}

export interface AlertRule {
  id: string;
  name: string;
  kind: RuleKind;
  /** Every rule but `dead_letters` (where it narrows to one project) names its project. */
  project?: string;
  metric?: RuleMetric;
  logs?: LogMatch;
  /** The window a metric is measured over (threshold, change, dead_letters). */
  windowMinutes: number;
  above?: number;
  below?: number;
  dropPercent?: number;
  risePercent?: number;
  /** no_events: how long without an event (or a database change) before it fires. */
  minutes?: number;
  source?: (typeof NO_EVENTS_SOURCES)[number];
  database?: string;
  channels: Channel[];
  origin: 'config' | 'dashboard';
}

const ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;
const KEYS = [
  'id',
  'name',
  'kind',
  'project',
  'metric',
  'logs',
  'windowMinutes',
  'above',
  'below',
  'dropPercent',
  'risePercent',
  'minutes',
  'source',
  'database',
  'channels',
];

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64) || 'rule';

const number = (min: number) => ({
  type: 'number',
  minimum: min,
  hint: `must be a number ≥ ${min}, got {got}`,
});
const anyNumber = { type: 'number', hint: `must be a number ≥ ${Number.NEGATIVE_INFINITY}, got {got}` };
const kindIs = (...kinds: RuleKind[]) => ({ properties: { kind: { enum: kinds } }, required: ['kind'] });
const names = (example: string) => ({
  type: ['string', 'array'],
  items: { type: 'string' },
  hint: `a list of names, e.g. ${example}`,
});

/** `logs` of a rule on metric "logs"; anything but an object matches every line (as it always did). */
const LOG_MATCH = {
  type: ['object', 'string', 'number', 'boolean', 'array', 'null'],
  properties: {
    levels: names('["error"]'),
    services: names('["error"]'),
    text: { type: 'string', hint: 'words the message must contain' },
  },
};

/**
 * The shape of a rule; what a schema cannot say (one of above/below, a database with its source, e-mail addresses
 * and URLs) is checked in `parseRule`. Fields a kind does not use are not checked for it.
 */
const RULE_SCHEMA = {
  type: 'object',
  hint: 'must be an object like {"name": "…", "kind": "threshold", …}',
  unknownHint: `unknown field; known: ${KEYS.join(', ')}`,
  properties: {
    kind: { enum: [...RULE_KINDS], hint: `must be one of ${RULE_KINDS.join(', ')}` },
    name: { type: 'string', pattern: '\\S', hint: 'required (a short text naming the rule)' },
    id: { type: 'string', pattern: ID.source, hint: 'letters, digits, . _ - (at most 64)' },
    project: true,
    windowMinutes: number(1),
    metric: true,
    logs: true,
    above: true,
    below: true,
    dropPercent: true,
    risePercent: true,
    minutes: true,
    source: true,
    database: true,
    channels: {
      type: 'array',
      minItems: 1,
      hint: 'one or more of {"type": "webhook", "url": "…"} or {"type": "email", "to": ["…"]}',
    },
  },
  required: ['kind', 'name', 'channels'],
  additionalProperties: false,
  allOf: [
    when(
      kindIs('dead_letters'),
      { properties: { above: number(0) } },
      {
        properties: { project: { type: 'string', minLength: 1, hint: 'required, e.g. "website"' } },
        required: ['project'],
      },
    ),
    when(kindIs('threshold', 'change'), {
      properties: {
        metric: { enum: [...RULE_METRICS], hint: `must be one of ${RULE_METRICS.join(', ')}` },
      },
      allOf: [
        when(
          { properties: { metric: { const: 'logs' } }, required: ['metric'] },
          { properties: { logs: LOG_MATCH } },
          { properties: { logs: { not: {}, hint: 'only for metric "logs"' } } },
        ),
      ],
    }),
    when(kindIs('threshold'), { properties: { above: anyNumber, below: anyNumber } }),
    when(kindIs('change'), { properties: { dropPercent: number(0), risePercent: number(0) } }),
    when(kindIs('no_events'), {
      properties: {
        minutes: { ...number(1), missingHint: 'required, e.g. 30' },
        source: { enum: [...NO_EVENTS_SOURCES], hint: 'must be "events" or "db_changes"' },
      },
      required: ['minutes'],
    }),
  ],
};
const RULE_CHECK = compileSchema(RULE_SCHEMA);

const numberIn = (r: Record<string, unknown>, key: string) =>
  typeof r[key] === 'number' ? r[key] : undefined;

/** One rule; problems are pushed as `<at>.<field>: what is wrong and what to write`. */
export function parseRule(
  raw: unknown,
  at: string,
  problems: string[],
  origin: AlertRule['origin'],
): AlertRule | undefined {
  const before = problems.length;
  problems.push(...RULE_CHECK.problems(raw, at));
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const kind = r.kind as RuleKind;
  const name = typeof r.name === 'string' ? r.name.trim().slice(0, 200) : '';
  const project = typeof r.project === 'string' && r.project ? r.project : undefined;
  const rule: AlertRule = {
    id: typeof r.id === 'string' ? r.id : slug(name),
    name,
    kind,
    ...(project ? { project } : {}),
    windowMinutes: numberIn(r, 'windowMinutes') ?? 60,
    channels: [],
    origin,
  };
  if (kind === 'threshold' || kind === 'change') {
    rule.metric = r.metric as RuleMetric;
    if (rule.metric === 'logs') rule.logs = logMatchOf(r.logs);
  }
  if (kind === 'threshold') {
    rule.above = numberIn(r, 'above');
    rule.below = numberIn(r, 'below');
    if ((rule.above === undefined) === (rule.below === undefined))
      problems.push(`${at}: a threshold rule needs exactly one of "above" or "below"`);
  }
  if (kind === 'change') {
    rule.dropPercent = numberIn(r, 'dropPercent');
    rule.risePercent = numberIn(r, 'risePercent');
    if (rule.dropPercent === undefined && rule.risePercent === undefined)
      problems.push(`${at}: a change rule needs "dropPercent" or "risePercent" (vs the window before)`);
  }
  if (kind === 'no_events') {
    rule.minutes = numberIn(r, 'minutes');
    const source = (r.source ?? 'events') as AlertRule['source'];
    rule.source = source;
    if (r.database !== undefined) {
      if (typeof r.database !== 'string' || source !== 'db_changes')
        problems.push(`${at}.database: a database name, with source "db_changes"`);
      else rule.database = r.database;
    }
  }
  if (kind === 'dead_letters') rule.above = numberIn(r, 'above') ?? 0;
  if (Array.isArray(r.channels))
    r.channels.forEach((c, i) => {
      const channel = channelOf(c, `${at}.channels[${i}]`, problems);
      if (channel) rule.channels.push(channel);
    });
  return problems.length > before ? undefined : rule;
}

/** The schema checked the fields; a `logs` that is not an object matches every line, as before. */
function logMatchOf(raw: unknown): LogMatch {
  const r = (raw ?? {}) as Record<string, unknown>;
  const out: LogMatch = {};
  for (const key of ['levels', 'services'] as const) {
    const v = strings(r[key]);
    if (v) out[key] = v;
  }
  if (typeof r.text === 'string') out.text = r.text;
  return out;
}

/** SIGHTLINE_ALERTS: a JSON list of rules; ids must be unique. */
export function parseAlertRules(raw: string): AlertRule[] {
  if (raw.trim() === '') return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON list of rules, e.g. [{"name":"traffic","kind":"threshold",…}]');
  }
  return alertRulesOf(list);
}

/** The alert rules as a value: the parsed JSON of SIGHTLINE_ALERTS, or a config file's `alerts:` list. */
export function alertRulesOf(list: unknown): AlertRule[] {
  if (!Array.isArray(list)) throw new Error('must be a JSON list of rules (an array)');
  const problems: string[] = [];
  const rules = list.map((r, i) => parseRule(r, `alerts[${i}]`, problems, 'config'));
  const ids = rules.flatMap((r) => (r ? [r.id] : []));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) problems.push(`two rules have the id "${twice}"; give each rule its own "id" or "name"`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return rules as AlertRule[];
}
