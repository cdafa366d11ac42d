/**
 * Every setting Sightline reads, in one place: env variable, default, how it is parsed and what it means.
 * `config.ts` builds the typed object from it and the README's configuration table is generated from it
 * (`npm run docs:config`), so the three never disagree.
 */
import { parseAlertRules } from '../alerts/alert-rules.ts';
import { parseMailFrom, parseReportSpecs, parseSmtpUrl } from '../alerts/report-specs.ts';
import { parseWebhookAllow } from '../alerts/webhook-target.ts';
import { parseForwardConfig } from '../forward/forward-config.ts';
import { parseCidrList } from './cidr.ts';
import { boolFromText, wholeNumberFromText } from './text-values.ts';

export class ConfigValueError extends Error {}

export interface FieldSpec<T> {
  env: string;
  /** Default as a user would type it in the env variable; `undefined` = unset. */
  default: string | undefined;
  description: string;
  parse: (raw: string) => T;
}

function field<T>(spec: FieldSpec<T>): FieldSpec<T> {
  return spec;
}

function integer(min: number, max: number) {
  return (raw: string): number => {
    const n = wholeNumberFromText(raw);
    if (n === undefined) throw new ConfigValueError(`expected a whole number, got "${raw}"`);
    if (n < min || n > max) throw new ConfigValueError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T => {
    const v = raw.trim().toLowerCase() as T;
    if (!values.includes(v)) throw new ConfigValueError(`expected one of ${values.join(', ')}, got "${raw}"`);
    return v;
  };
}

function text(raw: string): string {
  return raw.trim();
}

/** Comma-separated values, trimmed, empty ones dropped; `lower` for case-insensitive names. */
function list(lower = false) {
  return (raw: string): string[] =>
    raw
      .split(',')
      .map((s) => (lower ? s.trim().toLowerCase() : s.trim()))
      .filter(Boolean);
}

/** `host:port` or `:port` (host then comes from SIGHTLINE_HOST). */
function listenAddress(raw: string): { host: string | undefined; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]*):(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535)
    throw new ConfigValueError(`expected [host]:port, e.g. :8123, got "${raw}"`);
  return { host: match[1] || undefined, port };
}

/** `wal` or `kafka://host:port[,host:port…]`. */
function logUrl(raw: string): string {
  const v = raw.trim();
  if (v === 'wal') return v;
  const match = /^kafka:\/\/(.+)$/.exec(v);
  if (!match?.[1].split(',').every((b) => /^[A-Za-z0-9._-]+:\d{1,5}$/.test(b.trim())))
    throw new ConfigValueError(`expected wal or kafka://host:port[,host:port…], got "${raw}"`);
  return v;
}

/** Sightline's own topics on Kafka, by their logical names; what `SIGHTLINE_KAFKA_TOPICS` may rename. */
export const KAFKA_TOPIC_ROLES = ['events', 'logs', 'cdc', 'dead-letters'] as const;

/** `events=acme.events,dead-letters=acme.dlq` → each logical topic's name on the broker (unnamed: its own). */
function topicNames(raw: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [role, name, extra] = part.split('=').map((x) => x.trim());
    if (!(KAFKA_TOPIC_ROLES as readonly string[]).includes(role))
      throw new ConfigValueError(
        `"${role}" is not one of Sightline's topics (${KAFKA_TOPIC_ROLES.join(', ')}); write role=name, e.g. events=acme.events`,
      );
    if (extra !== undefined || !name || !/^[A-Za-z0-9._-]{1,249}$/.test(name))
      throw new ConfigValueError(
        `"${part}": write ${role}=<topic name> (letters, digits, . _ -), e.g. ${role}=acme.${role}`,
      );
    names[role] = name;
  }
  const used = Object.values(names);
  const twice = used.find((n, i) => used.indexOf(n) !== i);
  if (twice) throw new ConfigValueError(`topic "${twice}" is named for two roles; each needs its own topic`);
  return names;
}

function bool(raw: string): boolean {
  const v = boolFromText(raw);
  if (v === undefined) throw new ConfigValueError(`expected true or false, got "${raw}"`);
  return v;
}

export interface ProjectSpec {
  name: string;
  /** Write key; when set, ingestion for this project must present it. */
  key: string | undefined;
}

export const PROJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

/** The seed's list form: `app,website`; a project may carry a write key: `app:KEY`. */
export function parseProjects(raw: string): ProjectSpec[] {
  const projects: ProjectSpec[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const [name, key, extra] = item.split(':');
    if (extra !== undefined)
      throw new ConfigValueError(`"${item}" has more than one ":" (use name or name:key)`);
    if (!PROJECT_NAME.test(name))
      throw new ConfigValueError(`project name "${name}" must be 1-64 letters, digits, ".", "_" or "-"`);
    if (key !== undefined && key.length < 8)
      throw new ConfigValueError(`write key of "${name}" must be at least 8 characters`);
    if (projects.some((p) => p.name === name))
      throw new ConfigValueError(`project "${name}" is listed twice`);
    projects.push({ name, key: key || undefined });
  }
  if (projects.length === 0) throw new ConfigValueError('at least one project is needed, e.g. "app,website"');
  return projects;
}

export interface GoalSpec {
  /** As written after the project: `event:signup` or `page:/thanks*`; also the goal's name in the API. */
  name: string;
  kind: 'event' | 'page';
  /** Event type, or a path pattern where `*` stands for any run of characters. */
  value: string;
  /** Event goals only: every condition must hold for an event to count (`plan is pro`); goals made in the dashboard. */
  conditions?: readonly GoalPropertyCondition[];
}

export interface GoalPropertyCondition {
  /** An event property (a key of `props`). */
  key: string;
  op: 'is' | 'is_not';
  value: string;
}

/** `website:event:signup,website:page:/thanks*` → goals per project (a conversion is reaching any of them). */
export function parseGoals(raw: string): Map<string, GoalSpec[]> {
  const goals = new Map<string, GoalSpec[]>();
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const match = /^([^:]+):(event|page):(.+)$/.exec(item);
    if (!match)
      throw new ConfigValueError(`"${item}" is not project:event:<type> or project:page:<path pattern>`);
    const [, project, kind, value] = match;
    if (kind === 'page' && !value.startsWith('/'))
      throw new ConfigValueError(`page goal "${item}" must start with "/" (e.g. website:page:/thanks*)`);
    const list = goals.get(project) ?? [];
    if (list.some((g) => g.name === `${kind}:${value}`))
      throw new ConfigValueError(`goal "${item}" is listed twice`);
    list.push({ name: `${kind}:${value}`, kind: kind as GoalSpec['kind'], value });
    goals.set(project, list);
  }
  return goals;
}

/** `site=project,site2=project2` → a map (site ids lower-cased: domains are case-insensitive). */
export function parseSiteProjects(raw: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const [site, project, extra] = item.split('=');
    if (!site || !project || extra !== undefined)
      throw new ConfigValueError(`"${item}" is not site=project (e.g. example.com=website)`);
    if (!PROJECT_NAME.test(project))
      throw new ConfigValueError(`"${project}" in "${item}" is not a valid project name`);
    map.set(site.trim().toLowerCase(), project.trim());
  }
  return map;
}

function secret(minBytes: number) {
  return (raw: string): string => {
    if (Buffer.byteLength(raw) < minBytes)
      throw new ConfigValueError(`must be at least ${minBytes} bytes long (got ${Buffer.byteLength(raw)})`);
    return raw;
  };
}

function storeUrl(raw: string): string {
  const v = raw.trim();
  if (v === 'chdb') return v;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigValueError(`expected "chdb" or an http(s):// URL of a ClickHouse server, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigValueError(`ClickHouse URL must start with http:// or https://, got "${url.protocol}"`);
  return v;
}

export const configSchema = {
  configFile: field({
    env: 'SIGHTLINE_CONFIG',
    default: undefined,
    description:
      'Optional JSON or YAML file with any of these settings (keys as in the "key" column); env variables win.',
    parse: text,
  }),
  port: field({
    env: 'SIGHTLINE_PORT',
    default: '8080',
    description: 'TCP port of the HTTP server (collector, APIs, dashboard).',
    parse: integer(0, 65535),
  }),
  host: field({
    env: 'SIGHTLINE_HOST',
    default: '0.0.0.0',
    description: 'Address to listen on; `127.0.0.1` keeps it local.',
    parse: text,
  }),
  dataDir: field({
    env: 'SIGHTLINE_DATA_DIR',
    default: './data',
    description:
      'Folder for the write-ahead log (`wal/`), the embedded store (`chdb/`) and generated secrets.',
    parse: text,
  }),
  projects: field({
    env: 'SIGHTLINE_PROJECTS',
    default: 'app,website',
    description:
      'Projects that may send data: `app,website`; `app:KEY` requires the write key `KEY`. Created as sites "managed by configuration" at start (read-only in the dashboard); more sites can be added under Settings → Sites.',
    parse: parseProjects,
  }),
  siteProjects: field({
    env: 'SIGHTLINE_SITE_PROJECTS',
    default: '',
    description:
      'Plausible domains and Umami website ids → projects: `example.com=website,4fb7…=shop`. Unlisted sites go to the project of the same name (keyed projects only when listed here).',
    parse: parseSiteProjects,
  }),
  sitesRefreshSeconds: field({
    env: 'SIGHTLINE_SITES_REFRESH_SECONDS',
    default: '5',
    description:
      'How often each process reloads the sites and write keys made in the dashboard or over the API (the process that made a change reloads at once); `0` = only at start and after its own changes.',
    parse: integer(0, 3_600),
  }),
  adminToken: field({
    env: 'SIGHTLINE_ADMIN_TOKEN',
    default: undefined,
    description:
      'Bearer token with full read access. If unset, one is generated, kept in `<data dir>/admin-token` and printed once.',
    parse: secret(16),
  }),
  jwtSecret: field({
    env: 'SIGHTLINE_JWT_SECRET',
    default: undefined,
    description:
      'HS256 key (≥ 32 bytes) for read tokens carrying `project_id` / `tenant_id` and `exp` (required). Unset = JWTs refused.',
    parse: secret(32),
  }),
  sharePropertyKeys: field({
    env: 'SIGHTLINE_SHARE_PROPERTY_KEYS',
    default: '',
    description:
      'Event property keys share links may break down and filter by (`event:props:<key>`), comma-separated, e.g. `plan,variant`. Empty = none: a public dashboard shows the fixed dimensions only.',
    parse: list(),
  }),
  trustProxy: field({
    env: 'SIGHTLINE_TRUST_PROXY',
    default: '',
    description:
      'Comma-separated CIDRs of proxies whose `X-Forwarded-For` is believed (e.g. `127.0.0.1/32,10.0.0.0/8`).',
    parse: parseCidrList,
  }),
  rateLimitPerSecond: field({
    env: 'SIGHTLINE_RATE_LIMIT_PER_SECOND',
    default: '100',
    description: 'Ingestion requests per second per client IP (token bucket refill); `0` turns limiting off.',
    parse: integer(0, 10_000_000),
  }),
  rateLimitBurst: field({
    env: 'SIGHTLINE_RATE_LIMIT_BURST',
    default: '500',
    description: 'Token bucket size: requests one IP may send at once before being limited.',
    parse: integer(1, 10_000_000),
  }),
  bodyLimitBytes: field({
    env: 'SIGHTLINE_BODY_LIMIT_BYTES',
    default: '1048576',
    description: 'Largest accepted ingestion request body, in bytes (larger → `413`).',
    parse: integer(1024, 256 * 1024 * 1024),
  }),
  corsOrigins: field({
    env: 'SIGHTLINE_CORS_ORIGINS',
    default: '*',
    description: 'Origins allowed to send events from a browser: `*` or a comma-separated list.',
    parse: text,
  }),
  batchMaxRows: field({
    env: 'SIGHTLINE_BATCH_MAX_ROWS',
    default: '10000',
    description: 'The processor inserts when this many log records are waiting …',
    parse: integer(1, 1_000_000),
  }),
  batchMaxWaitMs: field({
    env: 'SIGHTLINE_BATCH_MAX_WAIT_MS',
    default: '1000',
    description: '… or when the oldest waiting record is this old (milliseconds).',
    parse: integer(1, 600_000),
  }),
  walSegmentBytes: field({
    env: 'SIGHTLINE_WAL_SEGMENT_BYTES',
    default: '67108864',
    description:
      'Size at which the write-ahead log starts a new segment file; consumed segments are deleted.',
    parse: integer(4096, 4 * 1024 * 1024 * 1024),
  }),
  walMaxSegmentAgeSeconds: field({
    env: 'SIGHTLINE_WAL_MAX_SEGMENT_AGE_SECONDS',
    default: '3600',
    description:
      'Age (seconds) of the oldest record in the active write-ahead log segment at which a new segment starts even on a quiet site, so raw bodies leave the disk within about 1.5 × this after every consumer is past them (docs/privacy.md).',
    parse: integer(1, 7 * 86_400),
  }),
  log: field({
    env: 'SIGHTLINE_LOG',
    default: 'wal',
    description:
      '`wal` (write-ahead log files in `<data dir>/wal`) or `kafka://host:9092[,host2:9092…]` (Apache Kafka; topics created at start when missing).',
    parse: logUrl,
  }),
  kafkaPartitions: field({
    env: 'SIGHTLINE_KAFKA_PARTITIONS',
    default: '6',
    description: 'Partitions of each topic Sightline creates (processors in one group share them).',
    parse: integer(1, 1000),
  }),
  kafkaReplicas: field({
    env: 'SIGHTLINE_KAFKA_REPLICAS',
    default: '1',
    description: 'Replicas of each topic Sightline creates (3 on a production cluster).',
    parse: integer(1, 10),
  }),
  kafkaRetentionHours: field({
    env: 'SIGHTLINE_KAFKA_RETENTION_HOURS',
    default: '168',
    description: 'Retention of the topics Sightline creates (7 days by default).',
    parse: integer(1, 100_000),
  }),
  clickhouseHttp: field({
    env: 'SIGHTLINE_CLICKHOUSE_HTTP',
    default: undefined,
    description:
      'Serve a ClickHouse-compatible HTTP endpoint over the embedded store on `[host]:port` (e.g. `:8123`; host defaults to SIGHTLINE_HOST). Off when unset. Needs SIGHTLINE_CLICKHOUSE_PASSWORD.',
    parse: listenAddress,
  }),
  clickhouseUser: field({
    env: 'SIGHTLINE_CLICKHOUSE_USER',
    default: 'sightline',
    description: 'User name of the ClickHouse-compatible endpoint.',
    parse: text,
  }),
  clickhousePassword: field({
    env: 'SIGHTLINE_CLICKHOUSE_PASSWORD',
    default: undefined,
    description: 'Password of the ClickHouse-compatible endpoint (at least 12 characters).',
    parse: (raw: string) => {
      if (raw.length < 12) throw new ConfigValueError('must be at least 12 characters');
      return raw;
    },
  }),
  clickhouseWrites: field({
    env: 'SIGHTLINE_CLICKHOUSE_WRITES',
    default: 'false',
    description:
      'Let the ClickHouse-compatible endpoint write (CREATE, INSERT, …; POST only). Off: SELECT/SHOW/DESCRIBE/EXPLAIN only.',
    parse: bool,
  }),
  kafkaCompression: field({
    env: 'SIGHTLINE_KAFKA_COMPRESSION',
    default: 'lz4',
    description: 'Compression of what the collectors produce to Kafka: none, gzip, snappy, lz4 or zstd.',
    parse: oneOf(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const),
  }),
  kafkaTopics: field({
    env: 'SIGHTLINE_KAFKA_TOPICS',
    default: '',
    description:
      "With Kafka: other names for Sightline's own topics, `role=name` comma-separated (roles: events, logs, cdc, dead-letters), e.g. `events=acme.events,dead-letters=acme.dlq`. Unnamed roles keep their role as name.",
    parse: topicNames,
  }),
  kafkaLogsTopic: field({
    env: 'SIGHTLINE_KAFKA_LOGS_TOPIC',
    default: 'app.logs',
    description:
      'With Kafka: topic where log shippers (Fluent Bit, Filebeat, rsyslog omkafka) write; read into `logs`. Empty = off.',
    parse: text,
  }),
  kafkaMaxwellTopic: field({
    env: 'SIGHTLINE_KAFKA_MAXWELL_TOPIC',
    default: 'maxwell',
    description: 'With Kafka: topic real Maxwell daemons write to; read into `db_changes`. Empty = off.',
    parse: text,
  }),
  kafkaShipperProject: field({
    env: 'SIGHTLINE_KAFKA_SHIPPER_PROJECT',
    default: undefined,
    description:
      'Project the shipper and Maxwell topics are stored under (default: the first of SIGHTLINE_PROJECTS).',
    parse: text,
  }),
  retentionEventsDays: field({
    env: 'SIGHTLINE_RETENTION_EVENTS_DAYS',
    default: '0',
    description:
      'Days `events` rows (and their rollups and `visits`) are kept (ClickHouse TTL, applied at start); 0 keeps them forever.',
    parse: integer(0, 100_000),
  }),
  retentionLogsDays: field({
    env: 'SIGHTLINE_RETENTION_LOGS_DAYS',
    default: '0',
    description:
      'Days `logs` rows are kept (ClickHouse TTL on `timestamp`, applied at start); 0 keeps them forever.',
    parse: integer(0, 100_000),
  }),
  retentionDbChangesDays: field({
    env: 'SIGHTLINE_RETENTION_DB_CHANGES_DAYS',
    default: '0',
    description:
      'Days `db_changes` rows are kept (ClickHouse TTL on `ts`, applied at start); 0 keeps them forever.',
    parse: integer(0, 100_000),
  }),
  retentionDeadLettersDays: field({
    env: 'SIGHTLINE_RETENTION_DEAD_LETTERS_DAYS',
    default: '0',
    description:
      'Days `dead_letters` rows are kept (ClickHouse TTL on `received_at`, applied at start); 0 keeps them forever.',
    parse: integer(0, 100_000),
  }),
  archiveDir: field({
    env: 'SIGHTLINE_ARCHIVE_DIR',
    default: undefined,
    description:
      'Keep every envelope, as received, in hourly gzip NDJSON files under this folder (a consumer of its own); `sightline replay` reads them back. Off when unset.',
    parse: text,
  }),
  forward: field({
    env: 'SIGHTLINE_FORWARD',
    default: '',
    description:
      'Forwarding to other services, as JSON (in a config file: a `forward:` object): `{"destinations":[{"name","type":"webhook|mixpanel|segment","url",…}],"rules":[{"destination","project","types","props","sample"}],"aggregates":[…]}`. See docs/forwarding.md. Off when unset.',
    parse: parseForwardConfig,
  }),
  store: field({
    env: 'SIGHTLINE_STORE',
    default: 'chdb',
    description:
      '`chdb` (embedded ClickHouse in `<data dir>/chdb`) or `http(s)://user:pass@host:8123/db` of a ClickHouse server.',
    parse: storeUrl,
  }),
  geoipCityDb: field({
    env: 'SIGHTLINE_GEOIP_CITY_DB',
    default: undefined,
    description:
      'Path of a GeoLite2-City or DB-IP City `.mmdb` for region and city; countries come from the shipped CC0 database.',
    parse: text,
  }),
  storeIp: field({
    env: 'SIGHTLINE_STORE_IP',
    default: 'false',
    description:
      'Store the client IP in `events.ip`. Off by default: the IP is used for geo and visitor hashing only.',
    parse: bool,
  }),
  honorGpc: field({
    env: 'SIGHTLINE_HONOR_GPC',
    default: 'false',
    description:
      'Drop the events of browser requests (native, Plausible, Umami, Snowplow) that carry `DNT: 1` or `Sec-GPC: 1`; they are still answered as accepted. Counted in `sightline_collect_opted_out_events_total`. See PRIVACY.md.',
    parse: bool,
  }),
  privacyLogFields: field({
    env: 'SIGHTLINE_PRIVACY_LOG_FIELDS',
    default: 'user_id,userId,user,email',
    description:
      "Keys of `logs.attributes` that hold a person's id: an erasure or export (`sightline erase`, `DELETE /api/v1/people/…`) takes the log lines whose value there equals the id. Comma-separated; empty = logs are not searched.",
    parse: list(),
  }),
  privacyDbColumns: field({
    env: 'SIGHTLINE_PRIVACY_DB_COLUMNS',
    default: 'user_id,email',
    description:
      "Columns of captured rows (`db_changes.data` and `.old`) that hold a person's id: an erasure or export takes the changes whose value there equals the id (string or number). Comma-separated; empty = not searched.",
    parse: list(),
  }),
  stripQueryParams: field({
    env: 'SIGHTLINE_STRIP_QUERY_PARAMS',
    default:
      'token,access_token,id_token,auth,key,api_key,apikey,password,pass,pwd,secret,session,sessionid,sid,email,mail,code',
    description: 'Query parameters removed from stored URLs (referrers), comma-separated, case-insensitive.',
    parse: list(true),
  }),
  trailingSlash: field({
    env: 'SIGHTLINE_TRAILING_SLASH',
    default: 'strip',
    description:
      '`strip`: `/docs/` and `/docs` are one page (stored as `/docs`); `keep`: paths are stored as sent.',
    parse: oneOf(['strip', 'keep'] as const),
  }),
  hashRouting: field({
    env: 'SIGHTLINE_HASH_ROUTING',
    default: 'false',
    description:
      'Single-page apps with hash routes: a URL fragment starting with `/` is the path (`/#/settings` → `/settings`).',
    parse: bool,
  }),
  botUserAgents: field({
    env: 'SIGHTLINE_BOT_USER_AGENTS',
    default: '',
    description:
      'Extra user-agent substrings to flag as bots (comma-separated, case-insensitive), on top of `isbot` and the referrer spam list.',
    parse: list(),
  }),
  profileEventTypes: field({
    env: 'SIGHTLINE_PROFILE_EVENT_TYPES',
    default: '',
    description:
      'Event types that update user profiles (comma-separated); empty = every type. `identify` always does.',
    parse: list(),
  }),
  sessionTimeoutMinutes: field({
    env: 'SIGHTLINE_SESSION_TIMEOUT_MINUTES',
    default: '30',
    description: 'Inactivity that ends a visit, for clients that send no session id.',
    parse: integer(1, 1440),
  }),
  dashboard: field({
    env: 'SIGHTLINE_DASHBOARD',
    default: 'true',
    description:
      'Serve the dashboard at `/` (and build it at start when its sources changed and Vite is installed).',
    parse: bool,
  }),
  invitationDays: field({
    env: 'SIGHTLINE_INVITATION_DAYS',
    default: '7',
    description: 'Days a dashboard invitation link stays valid; after that the admin invites again.',
    parse: integer(1, 365),
  }),
  goals: field({
    env: 'SIGHTLINE_GOALS',
    default: '',
    description:
      'Conversion goals per project: `project:event:<type>` or `project:page:<path, * = any>`, comma-separated (e.g. `website:event:signup,website:page:/thanks*`). Shown read-only ("managed by configuration") beside the goals made in the dashboard (Settings → Goals).',
    parse: parseGoals,
  }),
  alerts: field({
    env: 'SIGHTLINE_ALERTS',
    default: '',
    description:
      'Alert rules (JSON list; `alerts:` in a config file): `threshold`, `change`, `no_events`, `dead_letters`, each with `channels` (webhook, email). See docs/alerts.md.',
    parse: parseAlertRules,
  }),
  reports: field({
    env: 'SIGHTLINE_REPORTS',
    default: '',
    description:
      'E-mail reports (JSON list): `[{"project":"website","every":"week","to":["team@example.com"],"tz":"Europe/Berlin"}]`; `every` is `week` (sent Mondays) or `month`.',
    parse: parseReportSpecs,
  }),
  alertIntervalSeconds: field({
    env: 'SIGHTLINE_ALERT_INTERVAL_SECONDS',
    default: '60',
    description:
      'How often the api role evaluates alert rules and checks for reports due; `0` turns the scheduler off (run it in one api instance only).',
    parse: integer(0, 86_400),
  }),
  webhookAllow: field({
    env: 'SIGHTLINE_WEBHOOK_ALLOW',
    default: '',
    description:
      'Private targets alert webhooks may reach, comma-separated: CIDRs or addresses (`10.0.0.0/8`, `127.0.0.1`) and host names (`hooks.internal`, `*.corp.example`). Loopback, private, link-local, multicast and unspecified addresses are refused otherwise.',
    parse: parseWebhookAllow,
  }),
  smtpUrl: field({
    env: 'SIGHTLINE_SMTP_URL',
    default: undefined,
    description:
      'Mail server for alert e-mails and reports: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`.',
    parse: parseSmtpUrl,
  }),
  smtpFrom: field({
    env: 'SIGHTLINE_SMTP_FROM',
    default: undefined,
    description: 'Sender of alert e-mails and reports: `Sightline <alerts@example.com>`.',
    parse: parseMailFrom,
  }),
  publicUrl: field({
    env: 'SIGHTLINE_PUBLIC_URL',
    default: undefined,
    description:
      "The dashboard's address as users reach it (`https://stats.example.com`), for links in alerts and reports.",
    parse: (raw: string) => raw.trim().replace(/\/+$/, ''),
  }),
  queryTimeoutMs: field({
    env: 'SIGHTLINE_QUERY_TIMEOUT_MS',
    default: '10000',
    description: 'Time budget of one read query; past it the API answers `504` with `QUERY_ERR_TIMEOUT`.',
    parse: integer(100, 600_000),
  }),
  sampleRows: field({
    env: 'SIGHTLINE_SAMPLE_ROWS',
    default: '1000000',
    description:
      'Dashboard queries over a range of more than twice this many events read a sample of about this many (whole visitors) and scale the counts; answers then say `"sampled"`, and `exact=1` reads every event. 0 = never sample.',
    parse: integer(0, 1_000_000_000),
  }),
  queryMaxRows: field({
    env: 'SIGHTLINE_QUERY_MAX_ROWS',
    default: '10000',
    description: 'Largest `limit` a read endpoint accepts.',
    parse: integer(1, 10_000_000),
  }),
  logLevel: field({
    env: 'SIGHTLINE_LOG_LEVEL',
    default: 'info',
    description: 'Log level of the logs on stdout: `fatal`, `error`, `warn`, `info`, `debug`, `trace`.',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  }),
  logFormat: field({
    env: 'SIGHTLINE_LOG_FORMAT',
    default: 'auto',
    description:
      'Log lines on stdout: `auto` (readable lines — time, level, message, key=value — when stdout is a terminal, one JSON object per line otherwise), `json` or `pretty` (either one always).',
    parse: oneOf(['auto', 'json', 'pretty'] as const),
  }),
  shutdownTimeoutMs: field({
    env: 'SIGHTLINE_SHUTDOWN_TIMEOUT_MS',
    default: '30000',
    description:
      'On SIGTERM/SIGINT: how long to wait for in-flight requests and the last batch before exiting.',
    parse: integer(0, 600_000),
  }),
  metricsEnabled: field({
    env: 'SIGHTLINE_METRICS',
    default: 'true',
    description: 'Serve Prometheus metrics at `/metrics`.',
    parse: bool,
  }),
};

export type ConfigSchema = typeof configSchema;
export type ConfigKey = keyof ConfigSchema;
