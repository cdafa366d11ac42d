import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from '../../src/process/lru-cache.ts';

describe('LruCache', () => {
  it('keeps every key touched among the last max keys, evicts the untouched, and serves the latest value', () => {
    const cache = new LruCache<string, number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3); // a generation fills up: a, b, c move to the previous one
    assert.equal(cache.get('a'), 1); // touched: promoted
    cache.set('d', 4);
    cache.set('e', 5); // a, d, e fill the next generation; b and c were never touched again
    cache.set('f', 6);
    assert.equal(cache.get('b'), undefined, 'untouched for more than max stores: gone');
    assert.equal(cache.get('c'), undefined);
    assert.equal(cache.get('a'), 1, 'recently touched: kept');
    assert.equal(cache.get('e'), 5);
    cache.set('e', 50);
    assert.equal(cache.get('e'), 50, 'a new value wins over the one in the previous generation');
    assert.ok(cache.size <= 6, `bounded (${cache.size})`);
  });

  it('stays bounded under a stream of distinct keys', () => {
    const cache = new LruCache<number, number>(100);
    for (let i = 0; i < 10_000; i++) cache.set(i, i);
    assert.ok(cache.size <= 200, `at most 2×max held (${cache.size})`);
    for (let i = 9_900; i < 10_000; i++) assert.equal(cache.get(i), i, 'the last max keys are all there');
  });
});
