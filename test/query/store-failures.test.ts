// A StoreError is mapped by the plugin context that installs the mapping, and only there: inside it a timeout
// answers 504 QUERY_ERR_TIMEOUT and an outage 503 QUERY_ERR_UNAVAILABLE; outside it the server's handler
// serialises the StoreError as it is.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { createMetrics } from '../../src/observe/metrics.ts';
import { mapStoreErrors } from '../../src/query/store-failures.ts';
import { createHttpServer } from '../../src/server/http-server.ts';
import { storeTimeout, storeUnavailable } from '../../src/store/errors.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('store-failures');
let app: FastifyInstance;

before(async () => {
  app = createHttpServer(loadConfig({ SIGHTLINE_DATA_DIR: dir }), createLogger('silent'), createMetrics());
  await app.register(async (read) => {
    mapStoreErrors(read);
    read.get('/read/timeout', async () => Promise.reject(storeTimeout(new Error('TIMEOUT_EXCEEDED'))));
    read.get('/read/down', async () => Promise.reject(storeUnavailable(new Error('ECONNREFUSED'))));
    read.get('/read/other', async () =>
      Promise.reject(Object.assign(new Error('x'), { code: 'X_ERR', statusCode: 418 })),
    );
  });
  app.get('/outside/down', async () => Promise.reject(storeUnavailable(new Error('ECONNREFUSED'))));
  await app.ready();
});
after(async () => {
  await app.close();
  cleanup();
});

const answer = async (url: string) => {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, code: (res.json() as { error: { code: string } }).error.code };
};

describe('store failures mapped once per plugin', () => {
  it('answers a timeout with 504 QUERY_ERR_TIMEOUT', async () => {
    assert.deepEqual(await answer('/read/timeout'), { status: 504, code: 'QUERY_ERR_TIMEOUT' });
  });
  it('answers an outage with 503 QUERY_ERR_UNAVAILABLE', async () => {
    assert.deepEqual(await answer('/read/down'), { status: 503, code: 'QUERY_ERR_UNAVAILABLE' });
  });
  it('passes any other coded error on unchanged', async () => {
    assert.deepEqual(await answer('/read/other'), { status: 418, code: 'X_ERR' });
  });
  it('leaves routes outside the plugin alone', async () => {
    assert.deepEqual(await answer('/outside/down'), { status: 503, code: 'STORE_ERR_UNAVAILABLE' });
  });
});
