// A stage's catalogue builds errors of that stage with the code, status and text its entry names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CollectError, invalidEvents, rateLimited } from '../../src/collect/errors.ts';
import { CodedError, errorCatalogue } from '../../src/contract/coded-error.ts';
import { QueryError, queryErrors } from '../../src/query/errors.ts';

class TestError extends CodedError {}

describe('errorCatalogue', () => {
  const errors = errorCatalogue(TestError, {
    plain: { code: 'T_ERR_PLAIN', status: 409, text: (name: string) => `no ${name}` },
    rich: {
      code: 'T_ERR_RICH',
      status: 503,
      text: (cause: Error) => ({
        message: 'down',
        details: { n: 1 },
        headers: { 'retry-after': '5' },
        cause,
      }),
    },
  });

  it('builds the stage class from a message template', () => {
    const err = errors.plain('shop');
    assert.ok(err instanceof TestError && err instanceof CodedError);
    assert.deepEqual(
      [err.code, err.statusCode, err.message, err.details],
      ['T_ERR_PLAIN', 409, 'no shop', undefined],
    );
  });

  it('carries details, headers and the cause when the template gives them', () => {
    const cause = new Error('ECONNREFUSED');
    const err = errors.rich(cause);
    assert.deepEqual([err.details, err.headers, err.cause], [{ n: 1 }, { 'retry-after': '5' }, cause]);
  });

  it("keeps the stages' codes and texts", () => {
    const limited = rateLimited(7);
    assert.ok(limited instanceof CollectError);
    assert.deepEqual(
      [limited.code, limited.statusCode, limited.headers],
      ['COLLECT_ERR_RATE_LIMITED', 429, { 'retry-after': '7' }],
    );
    const invalid = invalidEvents([{ index: 1, field: 'type', message: 'is required' }], 2);
    assert.equal(invalid.message, '1 of 2 event(s) failed validation; none were accepted');
    const timeout = queryErrors.queryTimeout();
    assert.ok(timeout instanceof QueryError);
    assert.deepEqual([timeout.code, timeout.statusCode], ['QUERY_ERR_TIMEOUT', 504]);
  });
});
