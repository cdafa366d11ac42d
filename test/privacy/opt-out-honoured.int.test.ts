// SIGHTLINE_HONOR_GPC=true: browser requests with `DNT: 1` or `Sec-GPC: 1` are answered as accepted and their
// events are never stored, only counted; `DNT: 0`, no header, and server-side protocols (Segment) are stored.
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
    SIGHTLINE_HONOR_GPC: 'true',
  });
});
after(async () => {
  await server?.cleanup();
});

describe('privacy: DNT and Sec-GPC honoured', () => {
  it('drops the browser events of opted-out requests, answered as accepted, counted per protocol', async () => {
    await send(server.url);
    const paths = await storedPaths((sql) => server.store.query(sql), '/segment-dnt');
    assert.deepEqual(paths, ['/dnt-0', '/none', '/segment-dnt']);
    assert.deepEqual(await optedOutMetric(server.url), { native: 2, plausible: 1 });
  });
});
