// Every API route while the store does not answer: each one that reaches the store answers with its stage's own
// code (503 QUERY_ERR_UNAVAILABLE on the read side), never a bare 500; the store's STORE_ERR_* code only where
// listed below.
// The routes are taken from the running server, so a route added later is swept too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startInProcess } from '../support/in-process-server.ts';

let server: Awaited<ReturnType<typeof startInProcess>>;

before(async () => {
  server = await startInProcess({
    SIGHTLINE_STORE: 'http://127.0.0.1:1/sightline',
    SIGHTLINE_DASHBOARD: 'true',
  });
});
after(() => server.cleanup());

/** `METHOD /path` of every route under /api/, read from Fastify's route tree (one level per 4 columns). */
function apiRoutes(): Array<{ method: string; path: string }> {
  const tree = server.app.printRoutes({ commonPrefix: false });
  const routes: Array<{ method: string; path: string }> = [];
  const prefixes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([\s│├└─]*)(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    const path = (prefixes[depth - 1] ?? '') + match[2];
    prefixes[depth] = path;
    if (!match[3] || !path.startsWith('/api/')) continue;
    for (const method of match[3].split(', ')) if (method !== 'HEAD') routes.push({ method, path });
  }
  return routes;
}

/**
 * Stages outside the read API that still pass the store's own 503 STORE_ERR_UNAVAILABLE on: the alerts API, the
 * privacy request list and the forwarding admin endpoints (unchanged; they would need codes of their own).
 */
const OWN_STAGE = /^\S+ \/api\/v1\/(alerts|privacy\/requests|forward\/)\S* -> 503 STORE_ERR_UNAVAILABLE$/;

describe('a store outage on every API route', () => {
  it('answers each route with a coded error of its stage, never a STORE_ERR_* code or a 500', async () => {
    const routes = apiRoutes();
    assert.ok(routes.length > 40, `expected the whole API, found ${routes.length} routes`);
    const answers: string[] = [];
    for (const { method, path } of routes) {
      const url = `${server.url}${path.replace(/:(\w+)/g, (_m, name) => (name === 'name' ? 'app' : 'x1'))}?project=app`;
      const res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN}`,
          ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
        },
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
      });
      const text = await res.text();
      const code = res.status >= 400 ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : '';
      answers.push(`${method} ${path} -> ${res.status} ${code}`);
    }
    const leaked = answers.filter((a) => / STORE_ERR_| 500 /.test(a) && !OWN_STAGE.test(a));
    assert.deepEqual(leaked, [], answers.join('\n'));
    const unavailable = answers.filter((a) => / 503 QUERY_ERR_UNAVAILABLE$/.test(a));
    assert.ok(unavailable.length > 20, answers.join('\n'));
  });
});
