import { dayColumns, dayIndex } from './day-index.ts';
import { INSERT_SETTINGS } from './insert-settings.ts';
import { PICK_BITS, threshold, weighted, weightedTable } from './pick-tables.ts';
import type { SeedDay } from './plan.ts';
import { SEED_LOG_SOURCE } from './seed-markers.ts';
import { bits, ints, pick, str, strs } from './sql-literals.ts';
import type { SeedTables } from './tables.ts';

/** Requests an nginx in front of the site answers: pages, assets, API calls. */
const ASSETS = [
  '/assets/app.3f9c2b1e.js',
  '/assets/app.8d1e4a77.css',
  '/assets/vendor.b71c09aa.js',
  '/favicon.ico',
  '/img/hero.webp',
  '/img/logo.svg',
  '/fonts/inter-var.woff2',
];
const API_CALLS: Array<[string, string]> = [
  ['GET', '/api/session'],
  ['GET', '/api/projects'],
  ['POST', '/api/signup'],
  ['POST', '/api/login'],
  ['GET', '/api/billing/plans'],
  ['POST', '/api/checkout'],
];
/** Status codes on a usual day and on an incident day, with weights. */
const STATUS_USUAL: Array<[number, number]> = [
  [200, 895],
  [304, 45],
  [301, 15],
  [404, 30],
  [401, 5],
  [499, 5],
  [500, 2],
  [502, 2],
  [503, 1],
];
const STATUS_INCIDENT: Array<[number, number]> = [
  [200, 800],
  [304, 40],
  [301, 12],
  [404, 28],
  [401, 5],
  [499, 25],
  [500, 30],
  [502, 40],
  [503, 20],
];
/** Application logs: service, level, message (`{ms}` and `{id}` filled in), weight on a usual / incident day. */
const APP_LOGS: Array<[string, string, string, number, number]> = [
  ['api', 'info', 'GET /api/projects 200 in {ms}ms', 300, 250],
  ['api', 'info', 'POST /api/login 200 in {ms}ms', 120, 100],
  ['api', 'info', 'user {id} signed in', 110, 90],
  ['api', 'info', 'invoice {id} created', 30, 25],
  ['api', 'debug', 'cache miss for project settings {id}', 40, 30],
  ['api', 'warn', 'slow query: {ms}ms SELECT * FROM subscriptions WHERE user_id = ?', 25, 60],
  ['api', 'warn', 'rate limit reached for API key k_{id}', 12, 20],
  ['api', 'error', 'payment failed for order {id}: card_declined', 6, 10],
  ['api', 'error', 'upstream timeout after {ms}ms: billing-service', 2, 60],
  ['api', 'error', 'unhandled rejection: ECONNRESET', 1, 30],
  ['worker', 'info', 'job send-welcome-email {id} completed in {ms}ms', 90, 70],
  ['worker', 'info', 'job sync-invoices completed in {ms}ms', 50, 40],
  ['worker', 'warn', 'job sync-invoices retry 1/5 after {ms}ms', 10, 40],
  ['worker', 'error', 'job sync-invoices {id} failed: timeout', 2, 30],
];

export interface SideSqlOptions {
  project: string;
  seed: number;
  tables: SeedTables;
  capMs: number;
}

/** Server logs of the same days: nginx access lines (the `combined` format and the fields its parser keeps) and app logs. */
export function logsInsert(days: readonly SeedDay[], o: SideSqlOptions): string {
  const t = o.tables;
  const seed = String(o.seed);
  const index = dayIndex(days.map((d) => d.logs));
  const requests = [
    ...t.paths.filter((p) => !p.startsWith('/checkout')).map((p) => ['GET', p] as const),
    ...ASSETS.map((p) => ['GET', p] as const),
    ...API_CALLS,
  ];
  const pageCount = t.paths.filter((p) => !p.startsWith('/checkout')).length;
  const requestWeights = requests.map((_, i) =>
    i < pageCount ? 6 / (i + 1) : i < pageCount + ASSETS.length ? 0.5 : 0.3,
  );
  const withs = [
    ...index.withs,
    ...dayColumns(days),
    `${ints(t.hoursWeekday)} AS HOURS_WEEKDAY`,
    `${ints(t.hoursWeekend)} AS HOURS_WEEKEND`,
    `${ints(weightedTable(requestWeights))} AS REQUEST_PICK`,
    `${strs(requests.map((r) => r[0]))} AS METHODS`,
    `${strs(requests.map((r) => r[1]))} AS REQUEST_PATHS`,
    `${ints(weighted(STATUS_USUAL, (s) => s[1]).map((i) => STATUS_USUAL[i - 1][0]))} AS STATUS_USUAL`,
    `${ints(weighted(STATUS_INCIDENT, (s) => s[1]).map((i) => STATUS_INCIDENT[i - 1][0]))} AS STATUS_INCIDENT`,
    `${ints(weighted(APP_LOGS, (l) => l[3]))} AS APP_USUAL`,
    `${ints(weighted(APP_LOGS, (l) => l[4]))} AS APP_INCIDENT`,
    `${ints(t.agentPick)} AS AGENT_PICK`,
    `${ints(t.sourcePick)} AS SOURCE_PICK`,
  ];
  const referrers = strs(['-', ...t.sources.map((s) => s.referrer || '-')]);
  // nginx writes request times in seconds with millisecond precision: 0.012.
  const seconds = (x: string) =>
    `concat(toString(intDiv(${x}, 1000)), '.', leftPad(toString(${x} % 1000), 3, '0'))`;
  const ms = `toString(5 + intDiv(${bits('g2', 0, 12)} * ${bits('g2', 0, 12)}, 4096) % 2500)`;
  return `INSERT INTO logs (timestamp, received_at, project, host, service, level, message, attributes, source)
WITH ${withs.join(',\n  ')}
SELECT
  fromUnixTimestamp64Milli(toInt64(t_ms), 'UTC') AS timestamp,
  fromUnixTimestamp64Milli(toInt64(t_ms + 300 + ${bits('g2', 40, 10)}), 'UTC') AS received_at,
  ${str(o.project)} AS project,
  if(nginx, if(${bits('g1', 60, 1)} = 1, 'web-1', 'web-2'), if(${bits('g2', 60, 1)} = 1, 'app-1', 'app-2')) AS host,
  if(nginx, 'nginx', ${strs(APP_LOGS.map((l) => l[0]))}[app]) AS service,
  if(nginx, multiIf(status >= 500, 'error', status >= 400, 'warn', 'info'), ${strs(APP_LOGS.map((l) => l[1]))}[app]) AS level,
  if(nginx,
    concat(ip, ' - - [', formatDateTime(fromUnixTimestamp64Milli(toInt64(t_ms), 'UTC'), '%d/%b/%Y:%H:%i:%S +0000', 'UTC'), '] "', method, ' ', req_path, ' HTTP/2.0" ', toString(status), ' ', toString(bytes), ' "', referrer, '" "', ua, '" ', ${seconds('duration')}, ' ', ${seconds('upstream')}),
    replaceOne(replaceOne(${strs(APP_LOGS.map((l) => l[2]))}[app], '{ms}', ${ms}), '{id}', toString(100000 + ${bits('g2', 12, 20)}))) AS message,
  if(nginx,
    if(referrer = '-',
      map('ip', ip, 'method', method, 'path', req_path, 'protocol', 'HTTP/2.0', 'status', toString(status), 'bytes', toString(bytes), 'user_agent', ua, 'duration_ms', toString(duration), 'upstream_ms', toString(upstream)),
      map('ip', ip, 'method', method, 'path', req_path, 'protocol', 'HTTP/2.0', 'status', toString(status), 'bytes', toString(bytes), 'user_agent', ua, 'referrer', referrer, 'duration_ms', toString(duration), 'upstream_ms', toString(upstream))),
    map('request_id', lower(hex(g1)), 'duration_ms', ${ms})) AS attributes,
  ${str(SEED_LOG_SOURCE)} AS source
FROM (
  SELECT
    ${index.dayOf('number')} AS di, ${days[0].firstLog} + number AS i,
    cityHash64(${seed}, i, 11) AS g1, cityHash64(${seed}, i, 12) AS g2,
    if(DAY_WEEKEND[di] = 1, ${pick('HOURS_WEEKEND', 'g1', 0)}, ${pick('HOURS_WEEKDAY', 'g1', 0)}) AS hour,
    DAY_START[di] + hour * 3600000 + intDiv(${bits('g1', 12, 16)} * 3600000, 65536) AS t_ms,
    ${bits('g1', 28, PICK_BITS)} < ${threshold(0.75)} AS nginx,
    if(DAY_INCIDENT[di] = 1, ${pick('APP_INCIDENT', 'g1', 40)}, ${pick('APP_USUAL', 'g1', 40)}) AS app,
    ${pick('REQUEST_PICK', 'g2', 0)} AS request,
    METHODS[request] AS method,
    REQUEST_PATHS[request] AS req_path,
    if(DAY_INCIDENT[di] = 1, ${pick('STATUS_INCIDENT', 'g2', 12)}, ${pick('STATUS_USUAL', 'g2', 12)}) AS status,
    if(status = 304 OR status >= 400, 0, 1500 + ${bits('g2', 24, 16)}) AS bytes,
    concat(${strs(['203.0.113.', '198.51.100.', '192.0.2.'])}[1 + ${bits('g1', 44, 8)} % 3], toString(1 + ${bits('g1', 52, 8)} % 254)) AS ip,
    ${strs(t.agents.map((a) => a.ua))}[${pick('AGENT_PICK', 'g1', 16)}] AS ua,
    if(${bits('g2', 52, 4)} < 10, '-', ${referrers}[${pick('SOURCE_PICK', 'g2', 40)} + 1]) AS referrer,
    2 + intDiv(${bits('g2', 28, 10)} * ${bits('g2', 28, 10)}, 2048) + if(status >= 500, 3000, 0) AS duration,
    if(duration > 2, duration - 1, 1) AS upstream
  FROM numbers_mt(${index.rows})
)
WHERE t_ms <= ${Math.floor(o.capMs)}
${INSERT_SETTINGS}`;
}
