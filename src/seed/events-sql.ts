/**
 * The statements that generate seeded rows inside ClickHouse: `INSERT INTO … SELECT` over the planned days, every
 * random choice a few bits of `cityHash64(seed, visit, salt)` indexing a table from `tables.ts`. No row passes
 * through JS (building JSON there would cost more than everything the store does with it), and the hash makes the
 * rows a pure function of the seed (row order aside).
 *
 * Every value reaching the SQL text is either a number the seed code computed or a string passed through `str`.
 */
import { STORED_COLUMNS, type StoredColumn } from '../store/event-columns.ts';
import { INSERT_SETTINGS } from './insert-settings.ts';
import { PAGE_BITS } from './pick-tables.ts';
import type { SeedDay } from './plan.ts';
import { SEED_PROTOCOL } from './seed-markers.ts';
import { bits, ints, lc, ms, pick, str, strs } from './sql-literals.ts';
import type { Agent, Source } from './tables.ts';
import { eventTime, kinds, type SeedSqlOptions, visitsSql } from './visits-sql.ts';
import { DOWNLOAD_URLS, OUTBOUND_URLS } from './world.ts';

/**
 * The page index shown at position `j` of a visit's ordinary pages: the landing page first, then picks from the
 * browse table; a pick equal to the page before becomes another popular page (the tracker drops a repeat view).
 */
function basePage(seed: number, j: string): string {
  const raw = `if((${j}) = 0, landing, ${pick('BROWSE', `cityHash64(${seed}, s, 500 + (${j}))`, 0, PAGE_BITS)})`;
  const prev = `if((${j}) <= 1, landing, ${pick('BROWSE', `cityHash64(${seed}, s, 499 + (${j}))`, 0, PAGE_BITS)})`;
  return `if((${j}) > 0 AND ${raw} = ${prev}, ${raw} % 20 + 1, ${raw})`;
}

/**
 * SELECT of the events of the visits in `visits` (a table or a subquery), each column named as in `events`, and the
 * columns it fills (in table order).
 */
export function eventsSelect(o: SeedSqlOptions, visits: string): { columns: StoredColumn[]; sql: string } {
  const t = o.tables;
  const json = (s: string) => JSON.stringify(s);
  const kindNames = kinds(t);
  // Acquisition columns by index: 1 is a page after the first (internal referrer), 1 + n the n-th source.
  const acquisition = [t.internal, ...t.sources];
  const acq = (field: keyof Source) => `${strs(acquisition.map((a) => a[field]))}[acq]`;
  const agent = (field: keyof Agent) => `${strs(t.agents.map((a) => a[field]))}[agent]`;
  const title = 'TITLE_JSON[page]';
  const amount = `toString(if(yearly, ${ints(t.planYearly)}[plan], ${ints(t.planMonthly)}[plan]))`;
  const downloads = strs(DOWNLOAD_URLS.map((u) => json(`https://${t.host}${u}`)));
  // Page views are nine in ten events: their props are looked up whole; only the rest are assembled.
  const props = `if(kind = 1, PAGEVIEW_PROPS[page], multiIf(
        kind = 2, concat('{"title":', ${title}, ',"url":', ${strs(OUTBOUND_URLS.map(json))}[link], '}'),
        kind = 3, concat('{"title":', ${title}, ',"url":', ${downloads}[1 + link % ${DOWNLOAD_URLS.length}], '}'),
        kind = ${kindNames.indexOf('signup') + 1}, concat('{"title":', ${title}, ',"plan":"', ${strs(t.plans)}[plan], '","method":"', ${strs(t.methods)}[method], '"}'),
        concat('{"title":', ${title}, ',"plan":"', ${strs(t.plans)}[plan], '","billing":"', if(yearly, 'yearly', 'monthly'), '","amount":', ${amount}, ',"currency":"USD"}')))`;
  const profileKinds = kindNames.flatMap((k, i) => (o.profileTypes.includes(k) ? [i + 1] : []));
  const profile = o.profileTypes.length === 0 ? 'true' : `kind IN (${[0, ...profileKinds].join(', ')})`;
  // The screen class of the agent's device (src/process/adapters/screen-size.ts); a desktop is a laptop, or a
  // large desktop screen for one visitor in four.
  const screens = ['', 'Mobile', 'Tablet', 'Laptop', 'Desktop'];
  const screenOf = (a: Agent) => ({ mobile: 2, tablet: 3, desktop: 4 })[a.deviceType] ?? 1;
  const screen = `${ints(t.agents.map(screenOf))}[agent] + (${ints(t.agents.map((a) => (a.deviceType === 'desktop' ? 1 : 0)))}[agent] * (bitAnd(vid, 3) = 0))`;
  // Each column the seed fills, by name; the others keep their defaults (src/store/event-columns.ts).
  const columns: Partial<Record<StoredColumn, string>> = {
    event_id: `reinterpretAsUUID(concat(
      reinterpretAsFixedString(bitOr(bitAnd(he, 0xFFFFFFFFFFFF0FFF), 0x4000)),
      reinterpretAsFixedString(bitOr(bitAnd(intHash64(he), 0x3FFFFFFFFFFFFFFF), 0x8000000000000000))))`,
    project: str(o.project),
    tenant_id: "''",
    type: `${strs(kindNames)}[kind_lc]`,
    timestamp: ms('t_ms'),
    received_at: ms(`t_ms + 40 + ${bits('he', 12, 10)}`),
    user_id: 'uid',
    session_id: 'sid',
    visitor_id: 'vid',
    host: str(t.host),
    path: 'PATHS[page]',
    referrer: acq('referrer'),
    referrer_source: acq('referrerSource'),
    channel: acq('channel'),
    utm_source: acq('utmSource'),
    utm_medium: acq('utmMedium'),
    utm_campaign: acq('utmCampaign'),
    utm_term: acq('utmTerm'),
    utm_content: acq('utmContent'),
    locale: `${strs(['en-US', ...t.locales])}[locale_lc]`,
    country: `${strs(t.countries)}[country_lc]`,
    browser: agent('browser'),
    browser_version: agent('browserVersion'),
    os: agent('os'),
    os_version: agent('osVersion'),
    device_type: agent('deviceType'),
    device_vendor: agent('deviceVendor'),
    device_model: agent('deviceModel'),
    screen_size: `${strs(screens)}[${lc(screen)}]`,
    // As the processor decides it (put-profile-flag.step.ts): only events with a user id update a profile.
    updates_profile: `(${profile}) AND uid != ''`,
    protocol: str(SEED_PROTOCOL),
    props,
  };
  const names = STORED_COLUMNS.filter((name) => columns[name] !== undefined);
  const sql = `SELECT
  ${names.map((name) => `${columns[name]} AS ${name}`).join(',\n  ')}
FROM (
  SELECT *,
    e < n_base AS is_base,
    has_extra = 1 AND e = n_base AS is_extra,
    toUInt64(if(is_base OR is_extra, 0, e + 1 - n_base - has_extra)) AS tail,
    if(is_base, e, toUInt64(n_base - 1)) AS j,
    if(tail > 0, TAIL_PAGES[tail], ${basePage(o.seed, 'j')}) AS page,
    if(is_base, 1, if(is_extra, 1 + extra, TAIL_KINDS[tail])) AS kind,
    ${lc('kind')} AS kind_lc,
    ${lc('if(tail = 0 AND j = 0, 1 + src, 1)')} AS acq,
    cityHash64(${o.seed}, s, 1000 + e) AS he,
    ${eventTime(o.seed, 'e')} AS t_ms
  FROM (SELECT *, ${lc('ci')} AS country_lc, ${lc('ai')} AS agent, ${lc('locale_i')} AS locale_lc FROM ${visits})
  ARRAY JOIN range(n_events) AS e
)
WHERE t_ms <= ${Math.floor(o.capMs)}`;
  return { columns: names, sql };
}

/** Inserts the events of the visits of `days` into `events`, whose views then build profiles and rollups. */
export function eventsInsert(days: readonly SeedDay[], o: SeedSqlOptions): string {
  const visits = visitsSql(days, o);
  const select = eventsSelect(o, `(${visits.select})`);
  return `INSERT INTO events (${select.columns.join(', ')})
WITH ${visits.withs.join(',\n  ')}
${select.sql}
${INSERT_SETTINGS}`;
}
