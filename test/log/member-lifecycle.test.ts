import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemberLifecycle, MemberState } from '../../src/log/kafka/member-lifecycle.ts';
import { StallWatch } from '../../src/log/kafka/stall-watch.ts';

describe('kafka member lifecycle', () => {
  it('joins, runs, restarts as a new generation and joins again', () => {
    const life = new MemberLifecycle();
    assert.equal(life.state, MemberState.Joining);
    assert.equal(life.active, true);
    assert.equal(life.joined(0), true);
    assert.equal(life.state, MemberState.Running);
    const gen = life.beginRestart();
    assert.equal(gen, 1);
    assert.equal(life.state, MemberState.Restarting);
    assert.equal(life.active, false, 'no drain or second restart while one is under way');
    assert.equal(life.beginRestart(), undefined);
    assert.equal(life.current(0), false, 'callbacks of the old generation stand down');
    assert.equal(life.rejoin(1), true);
    assert.equal(life.state, MemberState.Joining);
    assert.equal(life.joined(0), false, 'a stream of an old generation is not taken');
    assert.equal(life.joined(1), true);
  });

  it('may restart while still joining; that join stands down', () => {
    const life = new MemberLifecycle();
    assert.equal(life.beginRestart(), 1);
    assert.equal(life.current(0), false);
    assert.equal(life.joined(0), false);
  });

  it('stops from any state; a stopped member neither restarts nor rejoins', () => {
    const life = new MemberLifecycle();
    life.joined(0);
    const gen = life.beginRestart()!;
    life.stop();
    assert.equal(life.state, MemberState.Stopping);
    assert.equal(life.live, false);
    assert.equal(life.rejoin(gen), false);
    assert.equal(life.beginRestart(), undefined);
    assert.equal(life.current(gen), false);
    life.stopped();
    assert.equal(life.state, MemberState.Stopped);
    life.stop();
    assert.equal(life.state, MemberState.Stopped);
  });
});

describe('kafka stall watch', () => {
  const backlog = (committed: bigint, records: number) => new Map([[0, { committed, records }]]);
  const mine = () => true;
  const notMine = () => false;

  it('restarts a member whose owned partition has a backlog and no commits for stallMs', () => {
    const w = new StallWatch(1_000);
    assert.equal(w.observe(backlog(5n, 10), 0, mine, notMine), undefined);
    assert.equal(w.observe(backlog(5n, 12), 999, mine, notMine), undefined);
    assert.match(w.observe(backlog(5n, 12), 1_000, mine, notMine) ?? '', /owned partition/);
  });

  it('does not count a partition that moves or has no backlog', () => {
    const w = new StallWatch(1_000);
    w.observe(backlog(5n, 10), 0, mine, notMine);
    assert.equal(w.observe(backlog(6n, 10), 1_500, mine, notMine), undefined);
    assert.equal(w.observe(backlog(6n, 0), 3_000, mine, notMine), undefined);
    assert.equal(w.observe(backlog(6n, 4), 3_500, mine, notMine), undefined);
  });

  it('restarts a member that owns nothing only after twice stallMs', () => {
    const w = new StallWatch(1_000);
    w.observe(backlog(5n, 10), 0, notMine, () => true);
    assert.equal(
      w.observe(backlog(5n, 10), 1_999, notMine, () => true),
      undefined,
    );
    assert.equal(
      w.observe(backlog(5n, 10), 2_000, notMine, () => false),
      undefined,
    );
    assert.match(w.observe(backlog(5n, 10), 2_000, notMine, () => true) ?? '', /owns none/);
  });

  it('forgets its history on reset (a new member)', () => {
    const w = new StallWatch(1_000);
    w.observe(backlog(5n, 10), 0, mine, notMine);
    w.reset();
    assert.equal(w.observe(backlog(5n, 10), 5_000, mine, notMine), undefined);
  });
});
