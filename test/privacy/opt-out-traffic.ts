/** Browser traffic with and without the opt-out headers, for the SIGHTLINE_HONOR_GPC on/off tests. */
import assert from 'node:assert/strict';
import { eventually, postJson } from '../support/in-process-server.ts';

export const KEY = 'shop-write-key-123';
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** Each case sends one page view whose path names the case, through a browser protocol or Segment. */
export const CASES: Array<{
  path: string;
  headers: Record<string, string>;
  via: 'native' | 'plausible' | 'segment';
}> = [
  { path: '/none', headers: {}, via: 'native' },
  { path: '/dnt', headers: { dnt: '1' }, via: 'native' },
  { path: '/gpc', headers: { 'sec-gpc': '1' }, via: 'native' },
  { path: '/dnt-0', headers: { dnt: '0' }, via: 'native' },
  { path: '/plausible-gpc', headers: { 'sec-gpc': '1' }, via: 'plausible' },
  { path: '/segment-dnt', headers: { dnt: '1' }, via: 'segment' },
];

export async function send(url: string): Promise<void> {
  for (const c of CASES) {
    const headers = { 'user-agent': UA, ...c.headers };
    if (c.via === 'native') {
      const res = await postJson(`${url}/e`, [{ type: 'pageview', path: c.path }], {
        ...headers,
        'x-app': 'shop',
        'x-project-key': KEY,
      });
      assert.equal(res.status, 202, c.path);
      assert.equal(res.json.accepted, 1, `${c.path}: answered as accepted whatever happens to it`);
    } else if (c.via === 'plausible') {
      const res = await fetch(`${url}/api/event`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          n: 'pageview',
          u: `https://shop.example.com${c.path}`,
          d: 'shop.example.com',
        }),
      });
      assert.equal(res.status, 202, c.path);
      assert.equal(await res.text(), 'ok');
    } else {
      const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
      const res = await postJson(
        `${url}/v1/page`,
        { anonymousId: 'anon-1', properties: { path: c.path, url: `https://shop.example.com${c.path}` } },
        { ...headers, authorization: basic },
      );
      assert.equal(res.status, 200, c.path);
    }
  }
}

/** The paths stored, once the last case (sent last) is: processing is in order. */
export async function storedPaths(
  query: (sql: string) => Promise<Array<{ path: string }>>,
  last: string,
): Promise<string[]> {
  return eventually(
    async () => {
      const rows = await query("SELECT path FROM events WHERE project = 'shop' ORDER BY path");
      const paths = rows.map((r) => r.path);
      return paths.includes(last) ? paths : undefined;
    },
    30_000,
    `${last} stored`,
  );
}

export async function optedOutMetric(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^sightline_collect_opted_out_events_total\{protocol="(\w+)"\} (\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
