import { dayColumns, dayIndex } from './day-index.ts';
import { INSERT_SETTINGS } from './insert-settings.ts';
import type { SideSqlOptions } from './logs-sql.ts';
import { weighted } from './pick-tables.ts';
import type { SeedDay } from './plan.ts';
import { SEED_POSITION_PREFIX } from './seed-markers.ts';
import { bits, ints, pick, str, strs } from './sql-literals.ts';

/** A few database changes a day in Maxwell's shape: sign-ups, orders, subscription changes, expired sessions. */
export function dbChangesInsert(days: readonly SeedDay[], o: SideSqlOptions): string {
  const seed = String(o.seed);
  const index = dayIndex(days.map((d) => d.changes));
  const plans = strs(o.tables.plans);
  const kinds: Array<[string, string, number]> = [
    ['users', 'insert', 35],
    ['users', 'update', 10],
    ['subscriptions', 'insert', 15],
    ['subscriptions', 'update', 15],
    ['orders', 'insert', 20],
    ['user_sessions', 'delete', 5],
  ];
  const withs = [
    ...index.withs,
    ...dayColumns(days),
    `${ints(weighted(kinds, (k) => k[2]))} AS KIND_PICK`,
    `${ints(o.tables.hoursWeekday)} AS HOURS_WEEKDAY`,
  ];
  const created = `formatDateTime(toDateTime(intDiv(t_ms, 1000), 'UTC'), '%Y-%m-%d %H:%i:%S', 'UTC')`;
  return `INSERT INTO db_changes (received_at, project, database, table, type, ts, xid, xoffset, commit, data, old, primary_key, position, server_id)
WITH ${withs.join(',\n  ')}
SELECT
  fromUnixTimestamp64Milli(toInt64(t_ms + 150), 'UTC') AS received_at,
  ${str(o.project)} AS project,
  'acme' AS database,
  ${strs(kinds.map((k) => k[0]))}[kind] AS table,
  ${strs(kinds.map((k) => k[1]))}[kind] AS type,
  toDateTime(intDiv(t_ms, 1000), 'UTC') AS ts,
  9000000 + i AS xid,
  0 AS xoffset,
  true AS commit,
  multiIf(
    kind = 1, concat('{"id":', toString(id), ',"email":"user', toString(id), '@example.com","plan":"free","created_at":"', ${created}, '"}'),
    kind = 2, concat('{"id":', toString(earlier), ',"email":"user', toString(earlier), '@example.com","plan":"free","last_login_at":"', ${created}, '"}'),
    kind = 3, concat('{"id":', toString(id), ',"user_id":', toString(earlier), ',"plan":"', ${plans}[plan], '","status":"active","started_at":"', ${created}, '"}'),
    kind = 4, concat('{"id":', toString(earlier), ',"user_id":', toString(earlier), ',"plan":"', ${plans}[plan], '","status":"', if(cancel, 'canceled', 'active'), '"}'),
    kind = 5, concat('{"id":', toString(id), ',"user_id":', toString(earlier), ',"amount":', toString(${ints(o.tables.planMonthly)}[plan]), ',"currency":"USD","status":"paid","created_at":"', ${created}, '"}'),
    concat('{"id":', toString(id), ',"user_id":', toString(earlier), '}')) AS data,
  multiIf(
    kind = 2, '{"last_login_at":null}',
    kind = 4, if(cancel, '{"status":"active"}', concat('{"plan":"', ${plans}[1 + plan % ${o.tables.plans.length}], '"}')),
    '') AS old,
  concat('[', toString(if(kind IN (2, 4), earlier, id)), ']') AS primary_key,
  concat(${str(SEED_POSITION_PREFIX)}, '000001:', toString(4 + i * 389)) AS position,
  1 AS server_id
FROM (
  SELECT
    ${index.dayOf('number')} AS di, ${days[0].firstChange} + number AS i,
    cityHash64(${seed}, i, 21) AS g,
    ${pick('HOURS_WEEKDAY', 'g', 0)} AS hour,
    DAY_START[di] + hour * 3600000 + intDiv(${bits('g', 12, 16)} * 3600000, 65536) AS t_ms,
    ${pick('KIND_PICK', 'g', 28)} AS kind,
    1000 + i AS id,
    1000 + ${bits('g', 40, 20)} % (i + 1) AS earlier,
    1 + ${bits('g', 60, 2)} % ${o.tables.plans.length} AS plan,
    ${bits('g', 62, 1)} = 1 AS cancel
  FROM numbers_mt(${index.rows})
)
WHERE t_ms <= ${Math.floor(o.capMs)}
${INSERT_SETTINGS}`;
}
