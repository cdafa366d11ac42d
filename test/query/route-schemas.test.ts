// Route input checked by JSON Schema through the shared Ajv: the rules every read route and body route relies on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { badParams, unauthenticated } from '../../src/query/errors.ts';
import { limitParam, queryParams, text } from '../../src/query/query-params.ts';
import { inputOf, inputProblems, routeSchema } from '../../src/server/route-schemas.ts';

let app: FastifyInstance;

before(async () => {
  app = Fastify();
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; details?: unknown }, _req, reply) =>
    reply.code(err.statusCode ?? 500).send({ code: err.code, message: err.message, details: err.details }),
  );
  const query = queryParams({
    limit: limitParam(50),
    name: text(10),
    exact: { type: 'boolean', hint: 'must be 1 or 0' },
  });
  app.get('/read', query, async (request) => {
    if (request.headers.authorization !== 'ok') throw unauthenticated('no token');
    const problems = inputProblems(request);
    if (problems.length > 0) throw badParams(problems);
    return inputOf(request, 'querystring');
  });
  const body = {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 10, hint: 'must be at most 10 characters' } },
    required: ['name'],
    additionalProperties: false,
    unknownHint: 'is not a field (known: {known})',
  };
  app.post('/write', routeSchema({ body }), async (request) => {
    const problems = inputProblems(request);
    if (problems.length > 0) throw badParams(problems);
    return inputOf(request, 'body');
  });
  await app.ready();
});
after(() => app.close());

const read = async (url: string, authorization = 'ok') => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization } });
  return { status: res.statusCode, body: res.json() };
};
const write = async (payload?: unknown) => {
  const res = await app.inject({
    method: 'POST',
    url: '/write',
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.json() };
};

describe('route querystrings', () => {
  it('reads numbers and booleans from text the one way; empty is absent; unknown parameters pass', async () => {
    const res = await read('/read?limit=7&exact=yes&name=&_=123');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { limit: 7, exact: true, _: '123' });
  });

  it('names each bad parameter in one 400: repeated, out of range, over-long, not a boolean', async () => {
    const res = await read(`/read?limit=51&name=${'n'.repeat(11)}&exact=maybe&limit=2`);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'QUERY_ERR_BAD_PARAMS');
    assert.deepEqual(res.body.details, [
      { param: 'limit', message: 'is given more than once' },
      { param: 'name', message: 'is longer than 10 characters' },
      { param: 'exact', message: 'must be 1 or 0' },
    ]);
    const range = await read('/read?limit=0');
    assert.deepEqual(range.body.details, [
      { param: 'limit', message: 'must be a whole number from 1 to 50' },
    ]);
  });

  it('authenticates before it judges the parameters', async () => {
    const res = await read('/read?limit=x', 'nope');
    assert.equal(res.status, 401);
  });
});

describe('route bodies', () => {
  it('takes a valid body, and a missing one as {}', async () => {
    assert.deepEqual((await write({ name: 'shop' })).body, { name: 'shop' });
    const missing = await write();
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.details, [{ param: 'name', message: 'must be at most 10 characters' }]);
  });

  it('refuses an over-long string and an unknown field, naming both', async () => {
    const res = await write({ name: 'x'.repeat(11), nmae: 'typo' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.details, [
      { param: 'nmae', message: 'is not a field (known: name)' },
      { param: 'name', message: 'must be at most 10 characters' },
    ]);
  });

  it('refuses a body that is not an object', async () => {
    const res = await write([1, 2]);
    assert.equal(res.status, 400);
    assert.equal(res.body.details[0].param, 'body');
  });
});

describe('hostile names', () => {
  it('takes __proto__ and constructor as parameters like any other, changing no prototype', async () => {
    const res = await read('/read?__proto__=x&constructor=y&limit=3');
    assert.equal(res.status, 200);
    assert.equal(res.body.limit, 3);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
});
