// `sightline seed` against a real embedded store: the shape of the traffic, its agreement with what the enrichment
// steps produce for real events, the stats queries over it, determinism and what a second seed does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Envelope } from '../../src/contract/envelope.ts';
import { parseNginxLine } from '../../src/log-lines/nginx-line.ts';
import { blankRow } from '../../src/process/event-row.ts';
import { putReferrer } from '../../src/process/steps/put-referrer.step.ts';
import { parseAgent } from '../../src/process/steps/put-user-agent.step.ts';
import { breakdownQuery } from '../../src/query/queries/breakdown.query.ts';
import { funnelQuery } from '../../src/query/queries/funnel.query.ts';
import { overviewQuery } from '../../src/query/queries/overview.query.ts';
import { timeseriesQuery } from '../../src/query/queries/timeseries.query.ts';
import { NO_FILTER } from '../../src/query/stats-filters.ts';
import type { StatsQuery } from '../../src/query/stats-query.ts';
import { rangeOf, startOfDay } from '../../src/query/time-range.ts';
import { SeedError, type SeedOptions, type SeedResult, seed } from '../../src/seed/seed.ts';
import { AGENTS } from '../../src/seed/user-agents.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { insertVisitsFromEvents } from '../../src/store/visits.ts';
import { tempDir } from '../support/temp-dir.ts';
import { assertVisitsMatchEvents } from '../support/visits-check.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const { dir, cleanup } = tempDir('seed');
let store: Store;

/** A fixed "now" after the seeded range, so the runs never depend on the day the tests run. */
const NOW = Date.parse('2026-04-10T12:00:00Z');
const BASE: SeedOptions = {
  project: 'demo',
  days: 14,
  eventsPerDay: 2000,
  seed: 42,
  end: '2026-03-31',
  tz: 'UTC',
  host: 'demo.example.com',
  now: NOW,
};
let demo: SeedResult;

const rows = <T>(sql: string, params: Record<string, string | number> = {}) => store.query<T>(sql, params);
const num = async (sql: string, params: Record<string, string | number> = {}) =>
  Number(Object.values((await rows<Record<string, unknown>>(sql, params))[0])[0]);

/** Everything an event row holds but its project and visitor id (which are derived from the project name). */
const CONTENT =
  'event_id, type, timestamp, received_at, user_id, session_id, host, path, referrer, referrer_source, channel, ' +
  'utm_source, utm_medium, utm_campaign, utm_term, utm_content, locale, country, browser, browser_version, os, ' +
  'os_version, device_type, device_vendor, device_model, updates_profile, protocol, props';

async function checksum(project: string, columns = CONTENT): Promise<string> {
  const [r] = await rows<{ n: string; h: string }>(
    `SELECT toString(count()) AS n, toString(sum(cityHash64(${columns}))) AS h FROM events WHERE project = {p:String}`,
    { p: project },
  );
  return `${r.n}:${r.h}`;
}

function statsQuery(project: string, tz = 'UTC'): StatsQuery {
  return {
    store,
    target: { project },
    range: rangeOf(startOfDay(2026, 3, 18, tz), startOfDay(2026, 4, 1, tz)),
    tz,
    filter: NO_FILTER,
    timeoutMs: 60_000,
  };
}

before(async () => {
  store = openStore({ url: 'chdb', dataDir: dir });
  demo = await seed(store, BASE);
});

after(async () => {
  await store.close();
  cleanup();
});

describe('seeded traffic', () => {
  it('writes about the requested volume, every day', async () => {
    assert.ok(Math.abs(demo.events - 28_000) < 28_000 * 0.05, `${demo.events} events for 14 × 2000`);
    assert.equal(demo.events, await num("SELECT count() FROM events WHERE project = 'demo'"));
    const days = await rows<{ d: string; n: number }>(
      "SELECT toString(toDate(timestamp)) AS d, count() AS n FROM events WHERE project = 'demo' GROUP BY d ORDER BY d",
    );
    // Visits that start before midnight may end after it: the day after --end holds a handful of events.
    const inRange = days.filter((d) => d.d >= '2026-03-18' && d.d <= '2026-03-31');
    assert.equal(inRange.length, 14);
    for (const d of inRange) assert.ok(d.n > 600 && d.n < 6000, `${d.d}: ${d.n} events`);
    assert.ok(days.length <= 15 && days.every((d) => d.d >= '2026-03-18' && d.d <= '2026-04-01'));
  });

  it('has a weekly rhythm: weekdays busier than weekends', async () => {
    const [r] = await rows<{ weekday: number; weekend: number }>(
      `SELECT avgIf(n, dow <= 5) AS weekday, avgIf(n, dow > 5) AS weekend FROM (
         SELECT toDate(timestamp) AS d, toDayOfWeek(d) AS dow, count() AS n FROM events
         WHERE project = 'demo' AND d <= '2026-03-31' GROUP BY d)`,
    );
    assert.ok(r.weekday > r.weekend * 1.25, `weekday ${r.weekday} vs weekend ${r.weekend}`);
  });

  it('has a daily rhythm: quiet nights, busy afternoons', async () => {
    const [r] = await rows<{ night: number; afternoon: number }>(
      `SELECT countIf(toHour(timestamp) BETWEEN 2 AND 5) AS night, countIf(toHour(timestamp) BETWEEN 13 AND 16) AS afternoon
       FROM events WHERE project = 'demo'`,
    );
    assert.ok(r.afternoon > r.night * 4, `night ${r.night}, afternoon ${r.afternoon}`);
  });

  it('spreads page views over a long tail of paths (Zipf-like)', async () => {
    const pages = await rows<{ path: string; n: number }>(
      "SELECT path, count() AS n FROM events WHERE project = 'demo' AND type = 'pageview' GROUP BY path ORDER BY n DESC",
    );
    const total = pages.reduce((a, p) => a + p.n, 0);
    assert.equal(pages[0].path, '/');
    const top = pages[0].n / total;
    assert.ok(top > 0.08 && top < 0.35, `top page share ${top}`);
    const top10 = pages.slice(0, 10).reduce((a, p) => a + p.n, 0) / total;
    assert.ok(top10 > 0.35 && top10 < 0.8, `top 10 share ${top10}`);
    assert.ok(pages[0].n > 3 * pages[9].n, 'popularity falls off with rank');
    assert.ok(pages.length >= 150, `${pages.length} distinct paths`);
    // A long, thin tail: the less popular half of the pages gets a small share of the views.
    const tail = pages.slice(Math.floor(pages.length / 2)).reduce((a, p) => a + p.n, 0) / total;
    assert.ok(tail > 0.03 && tail < 0.2, `bottom half share ${tail}`);
  });

  it('fills every dimension, with plausible variety', async () => {
    const [r] = await rows<Record<string, number>>(
      `SELECT uniq(referrer) AS referrer, uniq(referrer_source) AS source, uniq(channel) AS channel,
              uniq(utm_source) AS utm_source, uniq(utm_medium) AS utm_medium, uniq(utm_campaign) AS utm_campaign,
              uniq(utm_term) AS utm_term, uniq(utm_content) AS utm_content, uniq(country) AS country,
              uniq(locale) AS locale, uniq(browser) AS browser, uniq(browser_version) AS browser_version,
              uniq(os) AS os, uniq(os_version) AS os_version, uniq(device_type) AS device_type,
              uniq(device_vendor) AS device_vendor, uniq(device_model) AS device_model, uniq(type) AS type,
              countIf(user_id != '') / count() AS signed_in, countIf(session_id = '') AS no_session, countIf(visitor_id = 0) AS no_visitor,
              countIf(NOT isValidJSON(props)) AS bad_props, countIf(host != 'demo.example.com') AS other_host
       FROM events WHERE project = 'demo'`,
    );
    for (const [name, min] of Object.entries({
      referrer: 15,
      source: 15,
      channel: 6,
      utm_source: 4,
      utm_medium: 4,
      utm_campaign: 5,
      utm_term: 2,
      utm_content: 3,
      country: 35,
      locale: 30,
      browser: 6,
      browser_version: 5,
      os: 6,
      os_version: 8,
      device_type: 3,
      device_vendor: 2,
      device_model: 4,
      type: 7,
    }))
      assert.ok(r[name] >= min, `${name}: ${r[name]} distinct values, expected ≥ ${min}`);
    for (const name of ['no_session', 'no_visitor', 'bad_props', 'other_host'])
      assert.equal(Number(r[name]), 0, name);
    // Most visitors are anonymous; the signed-in ones (SIGNED_IN_SHARE of visitors) send a user id.
    assert.ok(r.signed_in > 0.06 && r.signed_in < 0.25, `${r.signed_in} of the events carry a user id`);
    const devices = await rows<{ d: string }>(
      "SELECT DISTINCT device_type AS d FROM events WHERE project = 'demo' ORDER BY d",
    );
    assert.deepEqual(
      devices.map((d) => d.d),
      ['desktop', 'mobile', 'tablet'],
    );
    // The screen class follows the device, and one visitor keeps one screen.
    const screens = await rows<{ d: string; s: string }>(
      `SELECT DISTINCT device_type AS d, screen_size AS s FROM events WHERE project = 'demo' ORDER BY d, s`,
    );
    assert.deepEqual(
      screens.map((x) => `${x.d}:${x.s}`),
      ['desktop:Desktop', 'desktop:Laptop', 'mobile:Mobile', 'tablet:Tablet'],
    );
    assert.equal(
      await num(
        `SELECT count() FROM (SELECT visitor_id FROM events WHERE project = 'demo' GROUP BY visitor_id HAVING uniq(screen_size) > 1)`,
      ),
      0,
    );
  });

  it('holds source, channel and UTM values exactly as the referrer step makes them', async () => {
    const combos = await rows<Record<string, string>>(
      `SELECT DISTINCT referrer, utm_source, utm_medium, utm_campaign, utm_term, utm_content, referrer_source, channel
       FROM events WHERE project = 'demo'`,
    );
    assert.ok(combos.length >= 20);
    for (const c of combos) {
      const row = blankRow();
      row.host = 'demo.example.com';
      row.referrer = c.referrer;
      row.utm_source = c.utm_source;
      row.utm_medium = c.utm_medium;
      const pageUrl = `https://demo.example.com/${c.utm_source ? `?utm_source=${c.utm_source}` : ''}`;
      putReferrer({ stripParams: [] }).run(row, {} as Envelope, { pageUrl, ip: '', ua: '', anonymousId: '' });
      assert.equal(row.referrer_source, c.referrer_source, `source of ${JSON.stringify(c)}`);
      assert.equal(row.channel, c.channel, `channel of ${JSON.stringify(c)}`);
    }
    // Only a visit's landing page carries its acquisition; later pages were referred by the site itself.
    const [r] = await rows<{ bad: number }>(
      `SELECT count() AS bad FROM (
         SELECT session_id, countIf(referrer_source != '' OR utm_source != '') AS tagged,
                countIf(type = 'pageview') AS views FROM events WHERE project = 'demo' GROUP BY session_id)
       WHERE tagged > 1`,
    );
    assert.equal(Number(r.bad), 0);
  });

  it('holds browsers, systems and devices exactly as the user-agent step parses them', async () => {
    const parsed = new Set(
      AGENTS.map((a) => {
        const p = parseAgent(a.ua);
        return [
          p.browser,
          p.browser_version,
          p.os,
          p.os_version,
          p.device_type,
          p.device_vendor,
          p.device_model,
        ].join('|');
      }),
    );
    const seen = await rows<{ k: string }>(
      `SELECT DISTINCT concat(browser, '|', browser_version, '|', os, '|', os_version, '|', device_type, '|', device_vendor, '|', device_model) AS k
       FROM events WHERE project = 'demo'`,
    );
    for (const s of seen) assert.ok(parsed.has(s.k), `${s.k} is not a parsed user agent`);
    const [ios] = await rows<{ safari: number; all: number }>(
      "SELECT countIf(browser = 'Mobile Safari') AS safari, count() AS all FROM events WHERE project = 'demo' AND os = 'iOS'",
    );
    assert.ok(ios.safari > ios.all * 0.7, 'iPhones and iPads mostly run Safari');
  });

  it('has a funnel with falling conversion, whose events carry plan and amount', async () => {
    const byType = Object.fromEntries(
      (
        await rows<{ type: string; n: number }>(
          "SELECT type, count() AS n FROM events WHERE project = 'demo' GROUP BY type",
        )
      ).map((r) => [r.type, Number(r.n)]),
    );
    assert.ok(byType.signup > byType.add_to_cart, JSON.stringify(byType));
    assert.ok(byType.add_to_cart > byType.checkout, JSON.stringify(byType));
    assert.ok(byType.checkout > byType.purchase, JSON.stringify(byType));
    assert.ok(byType.purchase > 0 && byType.outbound > 0 && byType.file_download > 0, JSON.stringify(byType));
    const funnel = await funnelQuery(
      statsQuery('demo'),
      [{ page: '/pricing' }, { event: 'add_to_cart' }, { event: 'checkout' }, { event: 'purchase' }],
      86_400,
    );
    const visitors = funnel.steps.map((s) => s.visitors);
    for (let i = 1; i < visitors.length; i++) assert.ok(visitors[i] < visitors[i - 1], visitors.join(' > '));
    assert.ok(funnel.steps[3].conversion_rate > 0 && funnel.steps[3].conversion_rate < 20);
    const [p] = await rows<{ props: string }>(
      "SELECT props FROM events WHERE project = 'demo' AND type = 'purchase' LIMIT 1",
    );
    const props = JSON.parse(p.props);
    assert.ok(['starter', 'pro', 'team'].includes(props.plan), p.props);
    assert.equal(typeof props.amount, 'number');
    assert.equal(props.currency, 'USD');
    assert.equal(props.title, 'Checkout — Acme');
  });

  it('makes visitors come back on later days', async () => {
    const [r] = await rows<{ visitors: number; visits: number; returning: number }>(
      `SELECT uniqExact(visitor_id) AS visitors, uniqExact(session_id) AS visits,
              (SELECT count() FROM (SELECT visitor_id FROM events WHERE project = 'demo'
                 GROUP BY visitor_id HAVING uniqExact(toDate(timestamp)) >= 2)) AS returning
       FROM events WHERE project = 'demo'`,
    );
    assert.ok(r.visitors < r.visits * 0.95, `${r.visitors} visitors, ${r.visits} visits`);
    assert.ok(r.returning > 200, `${r.returning} visitors on two or more days`);
  });

  it('gives the stats queries sensible numbers', async () => {
    const q = statsQuery('demo');
    const o = await overviewQuery(q);
    assert.ok(o.events > 27_000, JSON.stringify(o));
    assert.ok(o.visits > 8000 && o.visitors < o.visits, JSON.stringify(o));
    assert.ok(o.bounce_rate > 30 && o.bounce_rate < 65, `bounce rate ${o.bounce_rate}`);
    assert.ok(o.views_per_visit > 1.8 && o.views_per_visit < 4, `views per visit ${o.views_per_visit}`);
    assert.ok(o.visit_duration > 30 && o.visit_duration < 400, `visit duration ${o.visit_duration}`);
    const series = await timeseriesQuery(q, 'day');
    assert.equal(series.length, 14);
    assert.ok(series.every((p) => p.visitors > 100));
    const sources = await breakdownQuery(q, 'source', 10, 1);
    assert.ok(sources.some((s) => s.value === 'Google'));
    const entry = await breakdownQuery(q, 'entry_page', 5, 1);
    assert.equal(entry[0].value, '/');
    const countries = await breakdownQuery(q, 'country', 3, 1);
    assert.equal(countries[0].value, 'US');
  });

  it('fills sessions for every visit and user profiles for every signed-in visitor', async () => {
    const [r] = await rows<{ sessions: number; events_sessions: number; profiles: number; users: number }>(
      `SELECT (SELECT count() FROM sessions_view WHERE project = 'demo') AS sessions,
              (SELECT uniqExact(session_id) FROM events WHERE project = 'demo') AS events_sessions,
              (SELECT count() FROM user_profiles_view WHERE project = 'demo') AS profiles,
              (SELECT uniqExactIf(user_id, user_id != '') FROM events WHERE project = 'demo') AS users`,
    );
    assert.equal(Number(r.sessions), Number(r.events_sessions));
    assert.ok(Number(r.users) > 0);
    assert.equal(Number(r.profiles), Number(r.users));
    const [s] = await rows<{ bounces: number; all: number; entries: number }>(
      `SELECT countIf(bounce) AS bounces, count() AS all, uniq(entry_path) AS entries
       FROM sessions_view WHERE project = 'demo'`,
    );
    assert.ok(s.bounces > s.all * 0.3 && s.bounces < s.all * 0.65, `${s.bounces} bounces of ${s.all}`);
    assert.ok(s.entries > 50);
    // Visits as rows, folded from the seeded events as the processor folds live ones.
    assert.equal(await assertVisitsMatchEvents(store, 'demo', 'seeded'), Number(r.events_sessions));
  });

  it('writes nginx and app logs that parse like real ones, and database changes', async () => {
    const levels = await rows<{ service: string; level: string; n: number }>(
      "SELECT service, level, count() AS n FROM logs WHERE project = 'demo' GROUP BY ALL",
    );
    assert.deepEqual(new Set(levels.map((l) => l.service)), new Set(['nginx', 'api', 'worker']));
    assert.ok(['info', 'warn', 'error'].every((l) => levels.some((x) => x.level === l)));
    assert.equal(
      levels.reduce((a, l) => a + Number(l.n), 0),
      demo.logs,
    );
    const lines = await rows<{
      message: string;
      attributes: Record<string, string>;
      level: string;
      timestamp: string;
    }>(
      "SELECT message, attributes, level, toString(timestamp) AS timestamp FROM logs WHERE project = 'demo' AND service = 'nginx' LIMIT 200",
    );
    for (const line of lines) {
      const parsed = parseNginxLine(line.message);
      assert.ok(parsed, line.message);
      assert.deepEqual(parsed.attributes, line.attributes, line.message);
      assert.equal(parsed.level, line.level);
      assert.equal(
        new Date(parsed.time ?? 0).toISOString().slice(0, 19),
        line.timestamp.replace(' ', 'T').slice(0, 19),
      );
    }
    const changes = await rows<{ table: string; type: string; data: string; old: string; position: string }>(
      "SELECT table, type, data, old, position FROM db_changes WHERE project = 'demo'",
    );
    assert.equal(changes.length, demo.dbChanges);
    assert.ok(changes.length >= 28);
    assert.ok(new Set(changes.map((c) => `${c.table}/${c.type}`)).size >= 4);
    for (const c of changes) {
      JSON.parse(c.data);
      if (c.old) JSON.parse(c.old);
      assert.match(c.position, /^seed-bin\.\d{6}:\d+$/);
    }
  });

  it('follows the visitors’ day in the time zone it is given', async () => {
    await seed(store, { ...BASE, project: 'tokyo', tz: 'Asia/Tokyo', days: 7, eventsPerDay: 1000 });
    const [r] = await rows<{ local: number; utc: number }>(
      `SELECT countIf(toHour(timestamp, 'Asia/Tokyo') BETWEEN 13 AND 16) AS local,
              countIf(toHour(timestamp, 'UTC') BETWEEN 13 AND 16) AS utc
       FROM events WHERE project = 'tokyo'`,
    );
    // 13–16 h in Tokyo is the afternoon peak; 13–16 h UTC is 22–01 h there.
    assert.ok(r.local > r.utc * 2, `Tokyo afternoon ${r.local}, UTC afternoon ${r.utc}`);
  });
});

describe('determinism', () => {
  it('writes the same rows for the same seed, and other rows for another', async () => {
    await seed(store, { ...BASE, project: 'demo-again' });
    assert.equal(await checksum('demo-again'), await checksum('demo'));
    await seed(store, { ...BASE, project: 'demo-other', seed: 43 });
    assert.notEqual(await checksum('demo-other'), await checksum('demo'));
  });

  it('writes identical stores from the command line, in another process', async () => {
    const other = tempDir('seed-cli');
    try {
      const env = { ...process.env, SIGHTLINE_DATA_DIR: other.dir, SIGHTLINE_STORE: 'chdb' };
      const cli = path.join(ROOT, 'src/cli/main.ts');
      const args = ['seed', '--project', 'demo', '--days', '14', '--events-per-day', '2000', '--seed', '42'];
      await run(
        process.execPath,
        [cli, ...args, '--end', '2026-03-31', '--host', 'demo.example.com', '--quiet'],
        {
          env,
          cwd: ROOT,
        },
      );
      // Read the other store from a third process: chDB opens one data folder per process.
      const script = `
        import { openStore } from ${JSON.stringify(path.join(ROOT, 'src/store/store.ts'))};
        const store = openStore({ url: 'chdb', dataDir: ${JSON.stringify(other.dir)} });
        const [r] = await store.query(${JSON.stringify(`SELECT toString(count()) AS n, toString(sum(cityHash64(${CONTENT}, project, visitor_id))) AS h FROM events WHERE project = 'demo'`)});
        const [l] = await store.query("SELECT toString(count()) AS n, toString(sum(cityHash64(*))) AS h FROM logs");
        const [c] = await store.query("SELECT toString(count()) AS n, toString(sum(cityHash64(*))) AS h FROM db_changes");
        process.stdout.write(JSON.stringify([r, l, c]));
        await store.close();`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
      const [r, l, c] = JSON.parse(stdout) as Array<{ n: string; h: string }>;
      assert.equal(`${r.n}:${r.h}`, await checksum('demo', `${CONTENT}, project, visitor_id`));
      const here = async (table: string, where: string) => {
        const [x] = await rows<{ n: string; h: string }>(
          `SELECT toString(count()) AS n, toString(sum(cityHash64(*))) AS h FROM ${table} WHERE project = 'demo' AND ${where}`,
        );
        return `${x.n}:${x.h}`;
      };
      // received_at of logs and db changes is generated too, so whole rows compare equal.
      assert.equal(`${l.n}:${l.h}`, await here('logs', '1'));
      assert.equal(`${c.n}:${c.h}`, await here('db_changes', '1'));
    } finally {
      other.cleanup();
    }
  });
});

describe('sessions and profiles written from the visits', () => {
  const SESSION_COLUMNS =
    'session_id, started_at, ended_at, duration, event_count, pageview_count, bounce, is_bot, entry_path, exit_path, source, channel, country, device_type, browser';
  const PROFILE_COLUMNS =
    'user_id, first_seen_at, last_seen_at, event_count, session_count, country, device_type, browser, app_version, traits';
  const viewChecksum = async (view: string, columns: string, project: string) => {
    const [r] = await rows<{ n: string; h: string }>(
      `SELECT toString(count()) AS n, toString(sum(cityHash64(${columns}))) AS h FROM ${view} WHERE project = {p:String}`,
      { p: project },
    );
    return `${r.n}:${r.h}`;
  };

  it('are exactly what the views make of the same events', async () => {
    assert.equal(
      demo.direct,
      true,
      'the embedded store takes the direct path: the views are the ones it mirrors',
    );
    const views = await seed(store, { ...BASE, project: 'demo-views', throughViews: true });
    assert.equal(views.direct, false);
    assert.equal(await checksum('demo-views'), await checksum('demo'));
    assert.equal(
      await viewChecksum('sessions_view', SESSION_COLUMNS, 'demo'),
      await viewChecksum('sessions_view', SESSION_COLUMNS, 'demo-views'),
    );
    assert.equal(
      await viewChecksum('user_profiles_view', PROFILE_COLUMNS, 'demo'),
      await viewChecksum('user_profiles_view', PROFILE_COLUMNS, 'demo-views'),
    );
    // Visitor ids derive from the project name; within one project sessions and events agree on them.
    const [r] = await rows<{ bad: number }>(
      `SELECT count() AS bad FROM sessions_view AS s
       INNER JOIN (SELECT session_id, any(visitor_id) AS v FROM events WHERE project = 'demo' GROUP BY session_id) AS e
       USING (session_id)
       WHERE s.project = 'demo' AND s.visitor_id != e.v`,
    );
    assert.equal(Number(r.bad), 0);
  });

  it('are left to the views when only some event types update profiles', async () => {
    const r = await seed(store, { ...BASE, project: 'signups', days: 3, profileTypes: ['signup'] });
    assert.equal(r.direct, false);
    const [p] = await rows<{ profiled: number; signups: number }>(
      `SELECT (SELECT sum(event_count) FROM user_profiles_view WHERE project = 'signups') AS profiled,
              (SELECT count() FROM events WHERE project = 'signups' AND type = 'signup' AND user_id != '') AS signups`,
    );
    assert.ok(Number(p.signups) > 0, 'signed-in visitors signed up');
    assert.equal(Number(p.profiled), Number(p.signups));
    assert.equal(
      await num(
        "SELECT count() FROM events WHERE project = 'signups' AND updates_profile != (type = 'signup' AND user_id != '')",
      ),
      0,
    );
  });

  it('clear what a run that died left behind, without letting its rows in', async () => {
    await store.command('CREATE TABLE seed_visits (s UInt64) ENGINE = Null');
    await store.command('CREATE TABLE seed_staging_events AS events');
    await store.insert(
      'seed_staging_events',
      [
        {
          ...blankRow(),
          project: 'crashed',
          type: 'pageview',
          timestamp: '2026-03-20T10:00:00Z',
          received_at: '2026-03-20T10:00:00Z',
          event_id: '00000000-0000-4000-8000-000000000002',
        },
      ],
      'seed-test-crashed',
    );
    const r = await seed(store, { ...BASE, project: 'after-crash', days: 2 });
    assert.equal(r.direct, true);
    assert.equal(await num("SELECT count() FROM events WHERE project = 'crashed'"), 0);
  });

  it('leave no staging table or view behind', async () => {
    assert.equal(
      await num(
        "SELECT count() FROM system.tables WHERE name LIKE 'seed_staging%' OR name LIKE 'seed_visits%'",
      ),
      0,
    );
  });
});

describe('seeding a project twice', () => {
  it('refuses while the project holds seeded data, and says how to replace it', async () => {
    const before = await checksum('demo');
    await assert.rejects(
      () => seed(store, BASE),
      (err: unknown) =>
        err instanceof SeedError &&
        err.code === 'SEED_ERR_ALREADY_SEEDED' &&
        /already holds [\d,]+ seeded events \(2026-03-18 … 2026-0[34]-\d\d\)/.test(err.message) &&
        err.message.includes('--replace'),
    );
    assert.equal(await checksum('demo'), before);
  });

  it('with replace, deletes the earlier seed (views included) and writes it again', async () => {
    const before = await checksum('demo');
    const [sessionsBefore] = await rows<{ n: number }>(
      "SELECT count() AS n FROM sessions_view WHERE project = 'demo'",
    );
    const again = await seed(store, { ...BASE, replace: true });
    assert.equal(again.replaced, demo.events);
    // Same seed: the very same rows, none dropped as a duplicate insert and none left over.
    assert.equal(await checksum('demo'), before);
    const [sessionsAfter] = await rows<{ n: number }>(
      "SELECT count() AS n FROM sessions_view WHERE project = 'demo'",
    );
    assert.equal(Number(sessionsAfter.n), Number(sessionsBefore.n));
    const [profiles] = await rows<{ events: number }>(
      "SELECT sum(event_count) AS events FROM user_profiles_view WHERE project = 'demo'",
    );
    assert.equal(
      Number(profiles.events),
      await num("SELECT count() FROM events WHERE project = 'demo' AND user_id != ''"),
      'profiles count every signed-in event once',
    );
    assert.equal(await num("SELECT count() FROM logs WHERE project = 'demo'"), demo.logs);
    assert.equal(await num("SELECT count() FROM db_changes WHERE project = 'demo'"), demo.dbChanges);
    // Other projects are untouched.
    assert.ok((await num("SELECT count() FROM events WHERE project = 'demo-again'")) > 0);
  });

  it('keeps away from a project with real events, unless forced — and replace never deletes them', async () => {
    const real = {
      ...blankRow(),
      event_id: '00000000-0000-4000-8000-000000000001',
      project: 'shop',
      type: 'pageview',
      timestamp: '2026-03-25T10:00:00.000Z',
      received_at: '2026-03-25T10:00:00.100Z',
      session_id: 'real-session',
      path: '/real',
      protocol: 'native',
    };
    await store.insert('events', [real], 'seed-test-real-event');
    // Its visit, as the processor would have kept it.
    await insertVisitsFromEvents(store, "session_id = 'real-session'");
    await assert.rejects(
      () => seed(store, { ...BASE, project: 'shop' }),
      (err: unknown) =>
        err instanceof SeedError && err.code === 'SEED_ERR_REAL_DATA' && err.message.includes('--force'),
    );
    assert.equal(await num("SELECT count() FROM events WHERE project = 'shop'"), 1);
    const forced = await seed(store, { ...BASE, project: 'shop', force: true });
    assert.ok(forced.events > 0);
    await seed(store, { ...BASE, project: 'shop', force: true, replace: true, days: 2 });
    assert.equal(await num("SELECT count() FROM events WHERE project = 'shop' AND protocol = 'native'"), 1);
    assert.equal(
      await num("SELECT count() FROM sessions_view WHERE project = 'shop' AND session_id = 'real-session'"),
      1,
    );
  });

  it('writes nothing later than now, and nothing for an end date in the future', async () => {
    const now = Date.parse('2026-03-31T09:30:00Z');
    const partial = await seed(store, { ...BASE, project: 'today', days: 2, now });
    assert.ok(partial.events > 0);
    const [r] = await rows<{ last: string }>(
      "SELECT toString(max(timestamp)) AS last FROM events WHERE project = 'today'",
    );
    assert.ok(r.last <= '2026-03-31 09:30:00.000', r.last);
    await assert.rejects(
      () => seed(store, { ...BASE, project: 'future', end: '2026-04-01', now }),
      (err: unknown) => err instanceof SeedError && err.code === 'SEED_ERR_FUTURE',
    );
  });
});
