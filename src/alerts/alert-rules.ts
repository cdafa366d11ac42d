/**
 * Alert rules as operators write them (SIGHTLINE_ALERTS, the `alerts:` key of a config file, or the dashboard's
 * form): checked field by field so one message names every problem and how to fix it.
 */
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
const KEYS = new Set([
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
]);

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64) || 'rule';

function num(r: Record<string, unknown>, key: string, at: string, problems: string[], min = 0) {
  const v = r[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    problems.push(`${at}.${key}: must be a number ≥ ${min}, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

/** One rule; problems are pushed as `<at>.<field>: what is wrong and what to write`. */
export function parseRule(
  raw: unknown,
  at: string,
  problems: string[],
  origin: AlertRule['origin'],
): AlertRule | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${at}: must be an object like {"name": "…", "kind": "threshold", …}`);
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(r))
    if (!KEYS.has(key)) problems.push(`${at}.${key}: unknown field; known: ${[...KEYS].join(', ')}`);
  const kind = r.kind as RuleKind;
  if (!RULE_KINDS.includes(kind)) problems.push(`${at}.kind: must be one of ${RULE_KINDS.join(', ')}`);
  const name = typeof r.name === 'string' && r.name.trim() ? r.name.trim().slice(0, 200) : undefined;
  if (!name) problems.push(`${at}.name: required (a short text naming the rule)`);
  if (r.id !== undefined && (typeof r.id !== 'string' || !ID.test(r.id)))
    problems.push(`${at}.id: letters, digits, . _ - (at most 64)`);
  const project = typeof r.project === 'string' && r.project ? r.project : undefined;
  if (!project && kind !== 'dead_letters') problems.push(`${at}.project: required, e.g. "website"`);
  const rule: AlertRule = {
    id: typeof r.id === 'string' ? r.id : slug(name ?? ''),
    name: name ?? '',
    kind,
    ...(project ? { project } : {}),
    windowMinutes: num(r, 'windowMinutes', at, problems, 1) ?? 60,
    channels: [],
    origin,
  };
  if (kind === 'threshold' || kind === 'change') {
    const metric = r.metric as RuleMetric;
    if (!RULE_METRICS.includes(metric))
      problems.push(`${at}.metric: must be one of ${RULE_METRICS.join(', ')}`);
    rule.metric = metric;
    if (metric === 'logs') rule.logs = logMatchOf(r.logs, `${at}.logs`, problems);
    else if (r.logs !== undefined) problems.push(`${at}.logs: only for metric "logs"`);
  }
  if (kind === 'threshold') {
    rule.above = num(r, 'above', at, problems, Number.NEGATIVE_INFINITY);
    rule.below = num(r, 'below', at, problems, Number.NEGATIVE_INFINITY);
    if ((rule.above === undefined) === (rule.below === undefined))
      problems.push(`${at}: a threshold rule needs exactly one of "above" or "below"`);
  }
  if (kind === 'change') {
    rule.dropPercent = num(r, 'dropPercent', at, problems);
    rule.risePercent = num(r, 'risePercent', at, problems);
    if (rule.dropPercent === undefined && rule.risePercent === undefined)
      problems.push(`${at}: a change rule needs "dropPercent" or "risePercent" (vs the window before)`);
  }
  if (kind === 'no_events') {
    rule.minutes = num(r, 'minutes', at, problems, 1);
    if (rule.minutes === undefined) problems.push(`${at}.minutes: required, e.g. 30`);
    const source = (r.source ?? 'events') as AlertRule['source'];
    if (!NO_EVENTS_SOURCES.includes(source as 'events'))
      problems.push(`${at}.source: must be "events" or "db_changes"`);
    rule.source = source;
    if (r.database !== undefined) {
      if (typeof r.database !== 'string' || source !== 'db_changes')
        problems.push(`${at}.database: a database name, with source "db_changes"`);
      else rule.database = r.database;
    }
  }
  if (kind === 'dead_letters') rule.above = num(r, 'above', at, problems) ?? 0;
  if (!Array.isArray(r.channels) || r.channels.length === 0)
    problems.push(
      `${at}.channels: one or more of {"type": "webhook", "url": "…"} or {"type": "email", "to": ["…"]}`,
    );
  else
    r.channels.forEach((c, i) => {
      const channel = channelOf(c, `${at}.channels[${i}]`, problems);
      if (channel) rule.channels.push(channel);
    });
  return problems.length > before ? undefined : rule;
}

function logMatchOf(raw: unknown, at: string, problems: string[]): LogMatch {
  if (raw === undefined) return {};
  const r = (raw ?? {}) as Record<string, unknown>;
  const out: LogMatch = {};
  for (const key of ['levels', 'services'] as const) {
    if (r[key] === undefined) continue;
    const v = strings(r[key]);
    if (v) out[key] = v;
    else problems.push(`${at}.${key}: a list of names, e.g. ["error"]`);
  }
  if (r.text !== undefined) {
    if (typeof r.text === 'string') out.text = r.text;
    else problems.push(`${at}.text: words the message must contain`);
  }
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
  if (!Array.isArray(list)) throw new Error('must be a JSON list of rules (an array)');
  const problems: string[] = [];
  const rules = list.map((r, i) => parseRule(r, `alerts[${i}]`, problems, 'config'));
  const ids = rules.flatMap((r) => (r ? [r.id] : []));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) problems.push(`two rules have the id "${twice}"; give each rule its own "id" or "name"`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return rules as AlertRule[];
}
