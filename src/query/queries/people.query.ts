/** The lists behind the dashboard's users, sessions and events pages: individual rows, newest first, paged. */

import { isoFromClickHouse } from '../../store/clickhouse-time.ts';
import type { EventItem, User } from '../api-types.ts';
import { runStats } from '../run-stats.ts';
import { scopeFilter } from '../scope-filter.ts';
import { VISITOR_KEY } from '../stats-metrics.ts';
import { type StatsQuery, whereOf } from '../stats-query.ts';

export interface Page {
  limit: number;
  page: number;
}

const paging = (p: Page) => ({ limit: p.limit, offset: (p.page - 1) * p.limit });

export interface VisitRow {
  session_id: string;
  visitor: string;
  user_id: string;
  started_at: string;
  ended_at: string;
  duration: number;
  events: number;
  pageviews: number;
  entry_page: string;
  exit_page: string;
  source: string;
  country: string;
  device: string;
  browser: string;
}

/** Visits in the range with at least one event the filters match; each visit described whole. */
export async function visitsQuery(q: StatsQuery, p: Page): Promise<VisitRow[]> {
  const w = whereOf(q);
  const matched = q.filter.sql ? `max(toUInt8(1${q.filter.sql}))` : '1';
  const rows = await runStats<Record<string, string | number>>(
    q,
    `SELECT session_id, toString(any(${VISITOR_KEY})) AS visitor, anyIf(user_id, user_id != '') AS uid,
            toString(min(timestamp)) AS started, toString(max(timestamp)) AS ended,
            intDiv(toUnixTimestamp64Milli(max(timestamp)) - toUnixTimestamp64Milli(min(timestamp)), 1000) AS duration,
            count() AS events, countIf(type = 'pageview') AS pageviews,
            argMinIf(path, timestamp, type = 'pageview') AS entry_page,
            argMaxIf(path, timestamp, type = 'pageview') AS exit_page,
            argMin(referrer_source, timestamp) AS source, argMin(country, timestamp) AS first_country,
            argMin(device_type, timestamp) AS device, argMin(browser, timestamp) AS first_browser
     FROM events WHERE ${w.sessionWhere} AND session_id != ''
     GROUP BY session_id
     HAVING ${matched}
     ORDER BY min(timestamp) DESC, session_id
     LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    { ...w.params, ...paging(p) },
  );
  return rows.map(({ started, ended, uid, first_country, first_browser, ...r }) => ({
    ...(r as unknown as VisitRow),
    user_id: String(uid),
    country: String(first_country),
    browser: String(first_browser),
    started_at: isoFromClickHouse(String(started)),
    ended_at: isoFromClickHouse(String(ended)),
    duration: Number(r.duration),
    events: Number(r.events),
    pageviews: Number(r.pageviews),
  }));
}

// The shape the API answers, defined once with the other answers (the dashboard imports it too).
export type { EventItem } from '../api-types.ts';

const EVENT_COLUMNS = `toString(event_id) AS id, toString(timestamp) AS ts, type, path, user_id,
  session_id, toString(${VISITOR_KEY}) AS visitor, referrer_source AS source, country, device_type AS device, browser, os, props`;

function eventItem(r: Record<string, string>): EventItem {
  let props: unknown = {};
  try {
    props = JSON.parse(r.props);
  } catch {
    props = { _raw: r.props };
  }
  const { id, ts, ...rest } = r;
  return { ...(rest as unknown as EventItem), event_id: id, timestamp: isoFromClickHouse(ts), props };
}

/** The raw event stream, filtered like every stats query. */
export async function eventsQuery(q: StatsQuery, p: Page): Promise<EventItem[]> {
  const w = whereOf(q);
  const rows = await runStats<Record<string, string>>(
    q,
    `SELECT ${EVENT_COLUMNS} FROM events WHERE ${w.where}
     ORDER BY timestamp DESC, event_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    { ...w.params, ...paging(p) },
  );
  return rows.map(eventItem);
}

/** A user as the API answers it (src/query/api-types.ts `User`). */
type UserRow = User;

function userRow(r: Record<string, string | number>): UserRow {
  let traits: unknown = {};
  try {
    traits = JSON.parse(String(r.traits || '{}'));
  } catch {
    traits = {};
  }
  return {
    user_id: String(r.user_id),
    first_seen: isoFromClickHouse(String(r.first_seen)),
    last_seen: isoFromClickHouse(String(r.last_seen)),
    events: Number(r.events),
    sessions: Number(r.sessions),
    country: String(r.country),
    device: String(r.device),
    browser: String(r.browser),
    app_version: String(r.app_version),
    traits,
  };
}

const USER_COLUMNS = `user_id, toString(first_seen_at) AS first_seen, toString(last_seen_at) AS last_seen,
  event_count AS events, session_count AS sessions, country, device_type AS device, browser, app_version, traits`;

/**
 * Where a caller's profiles are read from. `user_profiles` has no tenant, and one user id may act in several
 * tenants (ids are often per-tenant database keys), so for a tenant-scoped reader the profiles are folded from
 * that tenant's own events exactly as `user_profiles_mv` folds them — traits and counts of other tenants never mix
 * in. `search` matches the user id or any trait value (case-insensitive).
 */
function profiles(q: Pick<StatsQuery, 'target'>): { source: string; params: Record<string, string> } {
  const scope = scopeFilter(q.target, false);
  if (q.target.tenant === undefined) return { source: 'user_profiles_view', params: scope.params };
  const latest = ['country', 'device_type', 'browser', 'app_version'];
  // Inner aliases differ from the columns: ClickHouse would read `country != ''` as the aggregate otherwise.
  return {
    source: `(SELECT project, user_id, first_seen_at, last_seen_at, event_count, session_count,
                     ${latest.map((c) => `last_${c} AS ${c}`).join(', ')}, last_traits AS traits
              FROM (SELECT project, user_id, min(timestamp) AS first_seen_at, max(timestamp) AS last_seen_at,
                           count() AS event_count, uniqIf(session_id, session_id != '') AS session_count,
                           ${latest.map((c) => `argMaxIf(${c}, timestamp, ${c} != '') AS last_${c}`).join(', ')},
                           argMaxIf(props, timestamp, type = 'identify') AS last_traits
                    FROM events WHERE ${scope.sql} AND updates_profile AND NOT is_bot
                    GROUP BY project, user_id))`,
    params: scope.params,
  };
}

export async function usersQuery(
  q: Pick<StatsQuery, 'store' | 'target' | 'timeoutMs'>,
  search: string | undefined,
  p: Page,
): Promise<UserRow[]> {
  const scope = profiles(q);
  const rows = await runStats<Record<string, string | number>>(
    q,
    `SELECT ${USER_COLUMNS} FROM ${scope.source}
     WHERE project = {project:String}${search ? ' AND (positionCaseInsensitive(user_id, {search:String}) > 0 OR positionCaseInsensitive(traits, {search:String}) > 0)' : ''}
     ORDER BY last_seen_at DESC, user_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    { ...scope.params, ...(search ? { search } : {}), ...paging(p) },
  );
  return rows.map(userRow);
}

/** One profile and its latest events (any time), or undefined when the user is unknown in this scope. */
export async function userQuery(
  q: Pick<StatsQuery, 'store' | 'target' | 'timeoutMs'>,
  userId: string,
  eventLimit: number,
): Promise<{ user: UserRow; events: EventItem[] } | undefined> {
  const scope = profiles(q);
  const [profile] = await runStats<Record<string, string | number>>(
    q,
    `SELECT ${USER_COLUMNS} FROM ${scope.source} WHERE project = {project:String} AND user_id = {user:String}`,
    { ...scope.params, user: userId },
  );
  if (!profile) return undefined;
  const events = scopeFilter(q.target, false);
  const rows = await runStats<Record<string, string>>(
    q,
    `SELECT ${EVENT_COLUMNS} FROM events WHERE ${events.sql} AND user_id = {user:String}
     ORDER BY timestamp DESC, event_id LIMIT {limit:UInt32}`,
    { ...events.params, user: userId, limit: eventLimit },
  );
  return { user: userRow(profile), events: rows.map(eventItem) };
}
