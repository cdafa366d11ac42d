// `screen_size` end to end: the native protocol takes a width or a class, the store keeps only the class, and the
// stats API breaks down and filters by it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { screenSize } from '../../src/process/adapters/screen-size.ts';
import { ADMIN, eventually, postJson, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

before(async () => {
  server = await startInProcess({ SIGHTLINE_RATE_LIMIT_PER_SECOND: '0' });
});
after(async () => {
  await server.cleanup();
});

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function stats(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('screen_size', () => {
  it('buckets widths as Plausible does and keeps nothing but the four classes', () => {
    assert.deepEqual([375, 575, 576, 991, 992, 1439, 1440, 3840].map(screenSize), [
      'Mobile',
      'Mobile',
      'Tablet',
      'Tablet',
      'Laptop',
      'Laptop',
      'Desktop',
      'Desktop',
    ]);
    assert.equal(screenSize('1280'), 'Laptop');
    assert.equal(screenSize('390x844'), 'Mobile');
    assert.equal(screenSize('tablet'), 'Tablet');
    for (const junk of [undefined, null, 0, -5, Number.NaN, '', 'huge', '12px', { width: 400 }, [400]])
      assert.equal(screenSize(junk), '', String(junk));
  });

  it('is stored from native events and is a dimension for breakdowns and filters', async () => {
    const at = Date.now() - 60_000;
    const sizes: unknown[] = [390, 390, 'Tablet', 1280, 2560, 'wall-sized', undefined];
    const events = sizes.map((screen_size, i) => ({
      type: 'pageview',
      user_id: `u${i}`,
      session_id: `s${i}`,
      path: i % 2 === 0 ? '/even' : '/odd',
      timestamp: at,
      ...(screen_size === undefined ? {} : { screen_size }),
    }));
    const res = await postJson(`${server.url}/e`, events, { 'x-app': 'app' });
    assert.equal(res.status, 202, JSON.stringify(res.json));
    const stored = await eventually(async () => {
      const rows = await server.store.query<{ user_id: string; screen_size: string; props: string }>(
        "SELECT user_id, screen_size, props FROM events WHERE project = 'app' ORDER BY user_id",
      );
      return rows.length === sizes.length ? rows : undefined;
    });
    assert.deepEqual(
      stored.map((r) => r.screen_size),
      ['Mobile', 'Mobile', 'Tablet', 'Laptop', 'Desktop', '', ''],
    );
    assert.ok(
      stored.every((r) => !('screen_size' in JSON.parse(r.props))),
      'a known field, not a property',
    );

    const range = `project=app&from=${day(at - 86_400_000)}&to=${day(at + 86_400_000)}`;
    const breakdown = await stats(`/api/v1/stats/breakdown/screen_size?${range}`);
    assert.equal(breakdown.status, 200, JSON.stringify(breakdown.body));
    const visitors = Object.fromEntries(
      (breakdown.body.results as Array<{ value: string; visitors: number }>).map((r) => [
        r.value,
        r.visitors,
      ]),
    );
    assert.deepEqual(visitors, { Mobile: 2, Tablet: 1, Laptop: 1, Desktop: 1, '': 2 });

    const filters = encodeURIComponent(JSON.stringify([['is', 'screen_size', ['Mobile']]]));
    const pages = await stats(`/api/v1/stats/breakdown/page?${range}&filters=${filters}`);
    assert.equal(pages.status, 200, JSON.stringify(pages.body));
    assert.deepEqual(
      (pages.body.results as Array<{ value: string; visitors: number }>).map((r) => [r.value, r.visitors]),
      [
        ['/even', 1],
        ['/odd', 1],
      ],
    );
  });
});
