// The login limiter in bounded memory: an attacker who rotates through fresh addresses cannot wipe the lockout of
// the address they guess passwords from, and one IPv6 host cannot rotate through its /64.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginLimiter } from '../../src/dashboard/login-limiter.ts';

const MIN = 60_000;

describe('login limiter', () => {
  it('locks an address out after the limit, until its window ends', () => {
    const l = new LoginLimiter({ limit: 3, windowMs: MIN });
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => l.attempt('203.0.113.7', 1000 + i)),
      [true, true, true, false, false],
    );
    assert.equal(l.attempt('203.0.113.8', 1010), true, 'another address is not affected');
    assert.equal(l.attempt('203.0.113.7', 1000 + MIN - 1), false);
    assert.equal(l.attempt('203.0.113.7', 1000 + MIN), true, 'a new window');
  });

  it('keeps a lockout while 30 000 other addresses pass through a table of 10 000', () => {
    const l = new LoginLimiter({ limit: 10, capacity: 10_000, windowMs: MIN });
    let t = 0;
    for (let i = 0; i < 11; i++) l.attempt('198.51.100.1', t++);
    assert.equal(l.attempt('198.51.100.1', t++), false);
    for (let i = 0; i < 30_000; i++)
      assert.equal(l.attempt(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, t), true);
    assert.ok(l.size <= 10_000, `held ${l.size}`);
    assert.equal(l.attempt('198.51.100.1', t), false, 'still locked out');
  });

  it('refuses newcomers rather than drop a lockout when every entry is one', () => {
    const l = new LoginLimiter({ limit: 1, capacity: 3, windowMs: MIN });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      l.attempt(ip, 0);
      assert.equal(l.attempt(ip, 0), false);
    }
    assert.equal(l.attempt('192.0.2.4', 10), false);
    assert.equal(l.attempt('192.0.2.1', 20), false);
    // Once windows end they make room again.
    assert.equal(l.attempt('192.0.2.4', MIN + 1), true);
  });

  it('counts an IPv6 /64 as one client (and an IPv4-mapped address as its IPv4 address)', () => {
    const l = new LoginLimiter({ limit: 2, windowMs: MIN });
    assert.equal(l.attempt('2001:db8:1:2::1', 0), true);
    assert.equal(l.attempt('2001:db8:1:2:ffff::9', 0), true);
    assert.equal(l.attempt('2001:db8:1:2:abcd:1:2:3', 0), false);
    assert.equal(l.attempt('2001:db8:1:3::1', 0), true, 'the next /64 is another client');
    l.attempt('192.0.2.50', 0);
    l.attempt('::ffff:192.0.2.50', 0);
    assert.equal(l.attempt('192.0.2.50', 0), false);
  });
});
