// Sources belong to the visit (as in Plausible): a visit from a search engine that goes on to two more pages counts
// once under `organic search` with its three pageviews, and never under `direct` — although its later events carry
// no referrer. A filter on a visit's source keeps every event of those visits, not only their landing pageview.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
const T0 = Date.now() - 3 * 3_600_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const RANGE = `from=${day(T0 - 86_400_000)}&to=${day(Date.now() + 86_400_000)}`;

async function send(ua: string, events: object[]) {
  const res = await fetch(`${server.url}/e`, {
    method: 'POST',
    headers: { 'x-app': 'app', 'content-type': 'application/json', 'user-agent': ua },
    body: JSON.stringify(events),
  });
  assert.equal(res.status, 202);
}

async function get(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, unknown>;
}

const page = (path: string, minutes: number, referrer = '') => ({
  type: 'pageview',
  path,
  url: `https://shop.example${path}`,
  referrer,
  timestamp: at(minutes),
});

before(async () => {
  server = await startInProcess();
  // Visit 1: from Google, three pages. Visit 2: typed in, one page. Another browser, so another visitor.
  await send('Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', [
    page('/a', 0, 'https://www.google.com/'),
    page('/b', 1, 'https://shop.example/a'),
    page('/c', 2, 'https://shop.example/b'),
  ]);
  await send('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15', [page('/a', 5)]);
  await eventually(
    async () => {
      const o = (await get(`/api/v1/stats/overview?project=app&${RANGE}&exact=1`)) as { pageviews: number };
      return o.pageviews === 4 ? true : undefined;
    },
    15_000,
    'the four pageviews stored',
  );
  // The visit rows land beside a batch's last events, in the store's second session: possibly a moment later.
  await eventually(
    async () => {
      const [row] = await server.store.query<{ n: string }>(
        "SELECT sum(sign) AS n FROM visits WHERE project = 'app'",
      );
      return Number(row?.n) === 2 ? true : undefined;
    },
    15_000,
    'the two visits stored',
  );
});
after(async () => server?.cleanup());

type Row = { value: string; visitors: number; visits: number; pageviews: number };
const byValue = (rows: Row[]) =>
  Object.fromEntries(rows.map((r) => [r.value, [r.visitors, r.visits, r.pageviews]]));

describe('visit dimensions', () => {
  it('credit a visit once, to the source of its first event, with all its pageviews', async () => {
    for (const metrics of ['', '&metrics=counts']) {
      const rows = (await get(`/api/v1/stats/breakdown/channel?project=app&${RANGE}${metrics}`))
        .results as Row[];
      assert.deepEqual(byValue(rows), { 'organic search': [1, 1, 3], direct: [1, 1, 1] }, metrics);
    }
    const cards = (
      await get(`/api/v1/stats/breakdowns?project=app&${RANGE}&dimensions=channel,source,page&metrics=counts`)
    ).results as Record<string, Row[]>;
    assert.deepEqual(byValue(cards.channel), { 'organic search': [1, 1, 3], direct: [1, 1, 1] });
    assert.deepEqual(byValue(cards.source), { Google: [1, 1, 3], '': [1, 1, 1] });
    assert.deepEqual(byValue(cards.page), { '/a': [2, 2, 2], '/b': [1, 1, 1], '/c': [1, 1, 1] });
  });

  it('filter on a source to every event of its visits', async () => {
    const filter = encodeURIComponent(JSON.stringify([['is', 'channel', ['organic search']]]));
    const pages = (await get(`/api/v1/stats/breakdown/page?project=app&${RANGE}&filters=${filter}`))
      .results as Row[];
    assert.deepEqual(byValue(pages), { '/a': [1, 1, 1], '/b': [1, 1, 1], '/c': [1, 1, 1] });
    const o = (await get(`/api/v1/stats/overview?project=app&${RANGE}&filters=${filter}`)) as Record<
      string,
      number
    >;
    assert.deepEqual([o.visitors, o.visits, o.pageviews, o.bounce_rate], [1, 1, 3, 0]);
    const direct = encodeURIComponent(JSON.stringify([['is', 'channel', ['direct']]]));
    const d = (await get(`/api/v1/stats/overview?project=app&${RANGE}&filters=${direct}`)) as Record<
      string,
      number
    >;
    assert.deepEqual([d.visitors, d.visits, d.pageviews, d.bounce_rate], [1, 1, 1, 100]);
  });

  it('entry pages of the visits a page filter keeps', async () => {
    const filter = encodeURIComponent(JSON.stringify([['is', 'page', ['/c']]]));
    const rows = (await get(`/api/v1/stats/breakdown/entry_page?project=app&${RANGE}&filters=${filter}`))
      .results as Row[];
    assert.deepEqual(byValue(rows), { '/a': [1, 1, 3] });
  });
});
