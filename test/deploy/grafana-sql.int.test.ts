// Every Grafana panel and variable of deploy/grafana/dashboards, its SQL put through what Grafana and the ClickHouse
// data source do to it (variables, $__conditionalAll, the plugin's macros for a fixed range), run on the embedded
// store after real traffic went through the pipeline over HTTP: page views and custom events from a few visitors
// (and a bot), nginx and JSON log lines (one of them bad → a dead letter), Maxwell database changes. Each query must
// run, and return rows; the key numbers must be the ones the traffic implies.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { queryWithClickHouseGo } from '../support/clickhouse-go.ts';
import { freePort } from '../support/free-port.ts';
import { eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { ROOT } from '../support/server-process.ts';
import { panelSql, type Selection, type TimeRange } from './grafana-query.ts';

const GRAFANA = path.join(ROOT, 'deploy/grafana');
const DASHBOARDS = path.join(GRAFANA, 'dashboards');

interface Target {
  refId: string;
  rawSql: string;
  format: number;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: string; uid: string };
  targets: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { rawSql: string };
  includeAll?: boolean;
  multi?: boolean;
}
interface Dashboard {
  uid: string;
  title: string;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: Variable[] };
  panels: Panel[];
}
type Row = Record<string, unknown>;

const files = fs
  .readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith('.json'))
  .sort();
const dashboards = new Map(
  files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(DASHBOARDS, f), 'utf8')) as Dashboard]),
);

/** Panels that stay empty with this traffic, and why. Every other panel must return rows. */
const EMPTY_HERE: Record<string, string> = {
  'breakdowns.json · Regions and cities': 'no city database (SIGHTLINE_GEOIP_CITY_DB) in the tests',
};

let server: Awaited<ReturnType<typeof startInProcess>>;
let range: TimeRange;
/** The ClickHouse-compatible endpoint, so the dashboards can also be read the way Grafana reads them. */
let endpoint: string;
const ENDPOINT_PASSWORD = 'grafana-endpoint-password';

const CHROME_DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** What the site sent: 3 visitors (4 pageviews, 3 custom events, 3 visits of which one bounced) and a bot. */
const VISITS: Array<{ ip: string; ua: string; events: Row[] }> = [
  {
    ip: '81.169.145.1',
    ua: CHROME_DESKTOP,
    events: [
      { type: 'pageview', session_id: 's1', path: '/', referrer: 'https://www.google.com/', locale: 'de-DE' },
      { type: 'pageview', session_id: 's1', path: '/pricing', locale: 'de-DE' },
      { type: 'signup', session_id: 's1', path: '/pricing', details: { plan: 'pro' } },
    ],
  },
  {
    ip: '8.8.8.8',
    ua: IPHONE,
    events: [
      {
        type: 'pageview',
        session_id: 's2',
        user_id: 'u2',
        path: '/docs',
        referrer: 'https://news.ycombinator.com/item?id=1',
        locale: 'en-US',
      },
      { type: 'signup', session_id: 's2', user_id: 'u2', path: '/docs', details: { plan: 'team' } },
      { type: 'purchase', session_id: 's2', user_id: 'u2', path: '/checkout', details: { amount: 49 } },
    ],
  },
  {
    ip: '1.1.1.1',
    ua: ANDROID,
    events: [
      {
        type: 'pageview',
        session_id: 's3',
        path: '/',
        url: 'https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=spring',
        locale: 'en-AU',
      },
    ],
  },
  { ip: '66.249.66.1', ua: GOOGLEBOT, events: [{ type: 'pageview', session_id: 'bot', path: '/' }] },
];

function nginxTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

async function count(sql: string): Promise<number> {
  const [row] = await server.store.query<{ n: number }>(sql);
  return Number(row?.n ?? 0);
}

before(async () => {
  endpoint = `127.0.0.1:${await freePort()}`;
  server = await startInProcess({
    SIGHTLINE_CLICKHOUSE_HTTP: endpoint,
    SIGHTLINE_CLICKHOUSE_PASSWORD: ENDPOINT_PASSWORD,
    SIGHTLINE_PROJECTS: 'website,app',
    SIGHTLINE_TRUST_PROXY: '127.0.0.1/32',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
  const started = Date.now();
  for (const visit of VISITS) {
    const res = await postJson(`${server.url}/e`, visit.events, {
      'x-app': 'website',
      'x-forwarded-for': visit.ip,
      'user-agent': visit.ua,
    });
    assert.equal(res.status, 202, JSON.stringify(res.json));
  }

  const now = new Date();
  const nginxLines = [
    `81.169.145.1 - - [${nginxTime(now)}] "GET /pricing HTTP/1.1" 200 5120 "-" "Mozilla/5.0" 0.012`,
    `8.8.8.8 - - [${nginxTime(now)}] "GET /missing HTTP/1.1" 404 0 "-" "curl/8.5.0" 0.002`,
    `8.8.8.8 - - [${nginxTime(now)}] "POST /api/pay HTTP/1.1" 502 0 "-" "curl/8.5.0" 1.250`,
  ].join('\n');
  const nginx = await fetch(`${server.url}/logs?format=nginx`, {
    method: 'POST',
    headers: { 'x-app': 'app', 'content-type': 'text/plain' },
    body: nginxLines,
  });
  assert.equal(nginx.status, 202, await nginx.text());
  const seconds = Date.now() / 1000;
  const jsonLines = [
    JSON.stringify({
      date: seconds,
      log: 'payment failed',
      level: 'ERROR',
      service: 'billing',
      host: 'app-1',
    }),
    JSON.stringify({ date: seconds, log: 'invoice sent', level: 'info', service: 'billing', host: 'app-1' }),
    JSON.stringify({ date: seconds, log: 'user signed in', level: 'info', service: 'auth', host: 'app-2' }),
    'this line is not JSON',
  ].join('\n');
  const logs = await fetch(`${server.url}/logs`, {
    method: 'POST',
    headers: { 'x-app': 'app', 'content-type': 'application/x-ndjson' },
    body: jsonLines,
  });
  const logsAnswer = (await logs.json()) as { accepted: number; rejected: unknown[] };
  assert.equal(logs.status, 202);
  assert.equal(logsAnswer.accepted, 3);
  assert.equal(logsAnswer.rejected.length, 1, 'the bad line is reported (and dead-lettered)');

  const ts = Math.floor(Date.now() / 1000);
  const changes = [
    {
      database: 'shop',
      table: 'users',
      type: 'insert',
      ts,
      xid: 10,
      commit: true,
      data: { id: 1, plan: 'free' },
    },
    {
      database: 'shop',
      table: 'users',
      type: 'update',
      ts,
      xid: 11,
      commit: true,
      data: { id: 1, plan: 'pro' },
      old: { plan: 'free' },
    },
    {
      database: 'shop',
      table: 'orders',
      type: 'insert',
      ts,
      xid: 12,
      xoffset: 0,
      data: { id: 7, total: '49.00' },
    },
    {
      database: 'shop',
      table: 'orders',
      type: 'insert',
      ts,
      xid: 12,
      xoffset: 1,
      commit: true,
      data: { id: 8, total: '5.00' },
    },
  ];
  const cdc = await postJson(`${server.url}/cdc`, changes.map((c) => JSON.stringify(c)).join('\n'), {
    'x-app': 'app',
  });
  assert.equal(cdc.status, 202, JSON.stringify(cdc.json));

  await eventually(
    async () => {
      const stored = [
        await count("SELECT count() AS n FROM events WHERE project = 'website'"),
        await count("SELECT count() AS n FROM logs WHERE project = 'app'"),
        await count("SELECT count() AS n FROM db_changes WHERE project = 'app'"),
        await count('SELECT count() AS n FROM dead_letters'),
        // The visits are written just after their events (by the processor, not a view): wait for them too.
        await count(
          "SELECT (SELECT count() FROM events WHERE project = 'website' AND session_id != '') - (SELECT sum(sign * events) FROM visits WHERE project = 'website') AS n",
        ),
      ];
      return stored[0] >= 8 && stored[1] >= 6 && stored[2] >= 4 && stored[3] >= 1 && stored[4] === 0
        ? true
        : undefined;
    },
    30_000,
    'the traffic to be stored',
  );
  // The dashboards' range: the last hour up to a little after now, as "now-1h … now" would be a moment later.
  range = { from: started - 3_600_000, to: Date.now() + 60_000, intervalSeconds: 60 };
});

after(async () => {
  await server?.cleanup();
});

/** Runs the dashboard's variable queries in order; every variable starts on "All" (a textbox on ''). */
async function variables(
  dashboard: Dashboard,
  pick: Record<string, string[]> = {},
): Promise<Map<string, Selection>> {
  const vars = new Map<string, Selection>();
  for (const v of dashboard.templating.list) {
    if (v.type === 'textbox') {
      vars.set(v.name, { values: pick[v.name] ?? [''], all: false });
      continue;
    }
    assert.equal(v.type, 'query', `${dashboard.uid} · $${v.name} is a query or a textbox`);
    const raw = typeof v.query === 'string' ? v.query : v.query.rawSql;
    const rows = await server.store.query<Row>(panelSql(raw, vars, range));
    const options = rows.map((r) => String(Object.values(r)[0]));
    assert.ok(options.length > 0, `${dashboard.uid} · $${v.name} lists values (${raw})`);
    if (pick[v.name]) {
      for (const p of pick[v.name]) assert.ok(options.includes(p), `${v.name} offers ${p} (${options})`);
      vars.set(v.name, { values: pick[v.name], all: false });
    } else {
      assert.ok(v.includeAll, `${dashboard.uid} · $${v.name} offers "All"`);
      vars.set(v.name, { values: options, all: true });
    }
  }
  return vars;
}

async function runPanel(
  file: string,
  title: string,
  pick: Record<string, string[]> = {},
): Promise<{ rows: Row[]; sql: string }> {
  const dashboard = dashboards.get(file);
  assert.ok(dashboard, file);
  const panel = dashboard.panels.find((p) => p.title === title);
  assert.ok(panel, `${file} has a panel "${title}"`);
  const sql = panelSql(panel.targets[0].rawSql, await variables(dashboard, pick), range);
  return { rows: await server.store.query<Row>(sql), sql };
}

describe('Grafana dashboards: every panel runs on the store', () => {
  it('ships the dashboards the stack documents', () => {
    assert.deepEqual(files, [
      'breakdowns.json',
      'db-changes.json',
      'events.json',
      'logs.json',
      'pipeline.json',
      'realtime.json',
      'traffic.json',
    ]);
  });

  for (const file of files) {
    it(`${file}: variables and panels run, return rows, and have the shape their panel type needs`, async () => {
      const dashboard = dashboards.get(file) as Dashboard;
      const vars = await variables(dashboard);
      assert.ok(dashboard.panels.length > 0);
      for (const panel of dashboard.panels) {
        const where = `${file} · ${panel.title}`;
        assert.equal(panel.targets.length, 1, `${where}: one query`);
        const target = panel.targets[0];
        const sql = panelSql(target.rawSql, vars, range);
        assert.doesNotMatch(sql, /\$/, `${where}: everything expanded`);
        let rows: Row[];
        try {
          rows = await server.store.query<Row>(sql);
        } catch (err) {
          assert.fail(`${where}: ${(err as Error).message}\n${sql}`);
        }
        if (EMPTY_HERE[where]) continue;
        assert.ok(rows.length > 0, `${where} returns rows\n${sql}`);
        if (panel.type === 'timeseries') {
          assert.equal(target.format, 0, `${where}: time series format`);
          assert.equal(Object.keys(rows[0])[0], 'time', `${where}: first column is the time`);
          assert.ok(
            rows.every((r) => !Number.isNaN(Date.parse(`${String(r.time).replace(' ', 'T')}Z`))),
            `${where}: time values are times`,
          );
        } else {
          assert.equal(target.format, 1, `${where}: table format`);
        }
        if (panel.type === 'stat') {
          assert.equal(rows.length, 1, `${where}: one value`);
          assert.equal(Object.keys(rows[0]).length, 1, `${where}: one column`);
        }
      }
    });
  }
});

describe('Grafana dashboards over the ClickHouse-compatible endpoint', () => {
  it('every panel, read by clickhouse-go over HTTP as Grafana reads it, gives what the store gives', async () => {
    const queries: Record<string, string> = {};
    for (const [file, dashboard] of dashboards) {
      const vars = await variables(dashboard);
      for (const panel of dashboard.panels)
        queries[`${file} · ${panel.title}`] = panelSql(panel.targets[0].rawSql, vars, range);
    }
    const results = await queryWithClickHouseGo(endpoint, ENDPOINT_PASSWORD, queries);
    assert.equal(results.size, Object.keys(queries).length);
    for (const [where, sql] of Object.entries(queries)) {
      const got = results.get(where);
      assert.equal(got?.error, undefined, `${where}: ${got?.error}\n${sql}`);
      const want = await server.store.query<Row>(sql);
      assert.deepEqual(
        got?.columns?.map((c) => c.name),
        want.length > 0 ? Object.keys(want[0]) : got?.columns?.map((c) => c.name),
        `${where}: columns`,
      );
      assert.equal(got?.rows?.length ?? 0, want.length, `${where}: rows`);
      for (const [r, row] of want.entries())
        for (const [c, value] of Object.values(row).entries()) {
          const cell = got?.rows?.[r][c];
          const text = String(value);
          const at = `${where} [${r}][${c}]`;
          if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(text))
            assert.equal(Date.parse(String(cell)), Date.parse(`${text.replace(' ', 'T')}Z`), at);
          else if (typeof cell === 'number') assert.equal(cell, Number(value), at);
          else if (typeof cell === 'string') assert.equal(cell, text, at);
        }
    }
  });
});

describe('Grafana dashboards: the numbers are the traffic’s', () => {
  const stat = async (file: string, title: string, pick?: Record<string, string[]>) => {
    const { rows } = await runPanel(file, title, pick);
    return Number(Object.values(rows[0])[0]);
  };
  const website = { project: ['website'] };

  it('traffic overview: visitors, visits, pageviews, events, bounce rate, bots', async () => {
    assert.equal(await stat('traffic.json', 'Unique visitors', website), 3);
    assert.equal(await stat('traffic.json', 'Visits', website), 3);
    assert.equal(await stat('traffic.json', 'Pageviews', website), 4);
    assert.equal(await stat('traffic.json', 'Events', website), 7);
    assert.ok(Math.abs((await stat('traffic.json', 'Bounce rate', website)) - 100 / 3) < 0.01);
    assert.equal(await stat('traffic.json', 'Bot traffic (excluded above)', website), 1);
    assert.ok(
      Math.abs((await stat('traffic.json', 'Share of visitors on mobile', website)) - 200 / 3) < 0.01,
    );
    const { rows } = await runPanel('traffic.json', 'Top pages', website);
    assert.deepEqual(rows[0], { page: '/', visitors: 2, pageviews: 2 });
  });

  it('realtime: the visitors of the last minutes', async () => {
    assert.equal(await stat('realtime.json', 'Visitors in the last 5 minutes', website), 3);
    const { rows } = await runPanel('realtime.json', 'Latest events', website);
    assert.equal(rows.length, 7, 'the bot is not in the feed');
  });

  it('breakdowns: entry pages, devices, countries, campaigns', async () => {
    const entry = (await runPanel('breakdowns.json', 'Entry pages', website)).rows;
    assert.deepEqual(
      entry.map((r) => [r.page, Number(r.visits)]),
      [
        ['/', 2],
        ['/docs', 1],
      ],
    );
    const devices = (await runPanel('breakdowns.json', 'Devices', website)).rows;
    assert.equal(devices.find((r) => r.device === 'mobile')?.visitors, 2);
    const countries = (await runPanel('breakdowns.json', 'Countries', website)).rows.map((r) => r.country);
    assert.ok(countries.includes('US'), String(countries));
    const campaigns = (await runPanel('breakdowns.json', 'Campaigns (UTM)', website)).rows;
    assert.deepEqual(campaigns, [
      { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring', visitors: 1 },
    ]);
  });

  it('custom events: counts, the event variable, properties', async () => {
    const all = (await runPanel('events.json', 'Events', website)).rows;
    assert.deepEqual(
      all.map((r) => [r.event, Number(r.events)]),
      [
        ['signup', 2],
        ['purchase', 1],
      ],
    );
    const signups = (await runPanel('events.json', 'Events', { ...website, event: ['signup'] })).rows;
    assert.deepEqual(
      signups.map((r) => r.event),
      ['signup'],
    );
    const props = (await runPanel('events.json', 'Properties', { ...website, event: ['signup'] })).rows;
    assert.deepEqual(props.map((r) => [r.property, r.value, Number(r.events)]).sort(), [
      ['plan', 'pro', 1],
      ['plan', 'team', 1],
    ]);
  });

  it('pipeline health: dead letters and rows stored', async () => {
    assert.ok((await stat('pipeline.json', 'Dead letters')) >= 1);
    const dead = (await runPanel('pipeline.json', 'Dead letters by source and reason')).rows;
    assert.ok(
      dead.some((r) => r.project === 'app'),
      JSON.stringify(dead),
    );
    assert.equal(await stat('pipeline.json', 'Events stored'), 8);
    const tables = new Set((await runPanel('pipeline.json', 'Rows stored per table')).rows.map((r) => r.tbl));
    assert.deepEqual([...tables].sort(), ['db_changes', 'events', 'logs']);
  });

  it('logs: levels, the search box, nginx status codes', async () => {
    const app = { project: ['app'] };
    const errors = (await runPanel('logs.json', 'Errors by service and host', app)).rows;
    assert.ok(errors.some((r) => r.service === 'billing' && Number(r.errors) === 1));
    const found = (await runPanel('logs.json', 'Latest lines', { ...app, search: ['PAYMENT'] })).rows;
    assert.deepEqual(
      found.map((r) => r.message),
      ['payment failed'],
    );
    const quoted = (await runPanel('logs.json', 'Latest lines', { ...app, search: ["it's"] })).rows;
    assert.deepEqual(quoted, [], 'a quote in the search box is just text');
    const status = (await runPanel('logs.json', 'HTTP status (nginx access lines)', app)).rows;
    assert.deepEqual(status.map((r) => r.status).sort(), ['200', '404', '502']);
  });

  it('database changes: per table, the update columns', async () => {
    const app = { project: ['app'] };
    const perTable = (await runPanel('db-changes.json', 'Changes per table', app)).rows;
    assert.deepEqual(
      perTable.map((r) => [r.table, Number(r.inserts), Number(r.updates), Number(r.deletes)]).sort(),
      [
        ['orders', 2, 0, 0],
        ['users', 1, 1, 0],
      ],
    );
    const columns = (await runPanel('db-changes.json', 'Columns changed by updates', app)).rows;
    assert.deepEqual(
      columns.map((r) => [r.table, r.column, Number(r.updates)]),
      [['users', 'plan', 1]],
    );
    const orders = (await runPanel('db-changes.json', 'Latest changes', { ...app, table: ['shop.orders'] }))
      .rows;
    assert.equal(orders.length, 2);
  });
});

describe('Grafana provisioning', () => {
  const datasources = YAML.parse(
    fs.readFileSync(path.join(GRAFANA, 'provisioning/datasources/clickhouse.yaml'), 'utf8'),
  ) as { datasources: Array<{ uid: string; type: string; jsonData: Record<string, unknown> }> };
  const [ds] = datasources.datasources;

  it('the data source is the ClickHouse plugin, read-only user, over HTTP to the clickhouse service', () => {
    assert.equal(ds.type, 'grafana-clickhouse-datasource');
    assert.deepEqual(
      [ds.jsonData.host, ds.jsonData.port, ds.jsonData.protocol, ds.jsonData.username],
      ['clickhouse', 8123, 'http', 'grafana'],
    );
  });

  it('every panel and variable uses it; uids and panel ids are unique; panels fit the grid', () => {
    const uids = new Set<string>();
    for (const [file, d] of dashboards) {
      assert.ok(!uids.has(d.uid), `${file}: unique uid`);
      uids.add(d.uid);
      const ids = new Set<number>();
      for (const p of d.panels) {
        assert.ok(!ids.has(p.id), `${file}: panel id ${p.id} is unique`);
        ids.add(p.id);
        assert.equal(p.datasource.uid, ds.uid, `${file} · ${p.title}`);
        for (const t of p.targets) assert.equal(t.datasource.uid, ds.uid, `${file} · ${p.title}`);
        assert.ok(
          p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24,
          `${file} · ${p.title} fits 24 columns`,
        );
      }
      for (const v of d.templating.list)
        if (v.type === 'query')
          assert.equal((v as unknown as { datasource: { uid: string } }).datasource.uid, ds.uid);
    }
  });

  it('realtime refreshes every 5 s; the others at least every 5 minutes', () => {
    assert.equal(dashboards.get('realtime.json')?.refresh, '5s');
    for (const [file, d] of dashboards) assert.match(d.refresh, /^(\d+s|[1-5]m)$/, file);
  });
});
