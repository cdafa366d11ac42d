// SIGHTLINE_HONOR_GPC unset (the default): `DNT: 1` and `Sec-GPC: 1` change nothing, every event is stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcess } from '../support/in-process-server.ts';
import { KEY, optedOutMetric, send, storedPaths } from './opt-out-traffic.ts';

let server: Awaited<ReturnType<typeof startInProcess>>;

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: `shop:${KEY},app`,
    SIGHTLINE_SITE_PROJECTS: 'shop.example.com=shop',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
});
after(async () => {
  await server?.cleanup();
});

describe('privacy: DNT and Sec-GPC by default', () => {
  it('stores the events of every request, headers or not', async () => {
    await send(server.url);
    const paths = await storedPaths((sql) => server.store.query(sql), '/segment-dnt');
    assert.deepEqual(paths, ['/dnt', '/dnt-0', '/gpc', '/none', '/plausible-gpc', '/segment-dnt']);
    assert.deepEqual(await optedOutMetric(server.url), {});
  });
});
