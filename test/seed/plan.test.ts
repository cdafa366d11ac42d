// The seed's plain-JS parts: weighted tables, the day plan and the progress output. No store involved.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration, ProgressBar, rate, renderBar, renderLine } from '../../src/observe/progress-bar.ts';
import { weightedTable } from '../../src/seed/pick-tables.ts';
import { planDays } from '../../src/seed/plan.ts';
import { buildTables } from '../../src/seed/tables.ts';

const tables = buildTables({ host: 'demo.example.com', stripParams: [] });

describe('weighted tables', () => {
  it('hold every outcome in proportion to its weight, at least once', () => {
    const table = weightedTable([50, 30, 19.9, 0.1, 0]);
    assert.equal(table.length, 4096);
    const count = (i: number) => table.filter((x) => x === i).length;
    assert.ok(Math.abs(count(1) - 2048) <= 1);
    assert.ok(Math.abs(count(2) - 1229) <= 1);
    assert.ok(count(4) >= 1, 'a tiny weight still shows up');
    assert.equal(count(5), 0, 'a zero weight never does');
  });

  it('describe a plausible site', () => {
    assert.ok(tables.paths.length >= 190 && tables.paths.length <= 210, `${tables.paths.length} paths`);
    assert.equal(new Set(tables.paths).size, tables.paths.length, 'paths are unique');
    assert.ok(
      tables.eventsPerVisit > 2 && tables.eventsPerVisit < 4,
      `${tables.eventsPerVisit} events a visit`,
    );
    assert.ok(tables.countries.length >= 40);
    assert.ok(tables.sources.some((s) => s.channel === 'paid' && s.utmMedium === 'cpc'));
    assert.ok(tables.sources.some((s) => s.channel === 'email' && s.utmSource === 'newsletter'));
    assert.equal(tables.internal.channel, 'direct');
    assert.equal(tables.internal.referrer, '');
  });
});

describe('the day plan', () => {
  const year = planDays({
    days: 365,
    eventsPerDay: 20_000,
    end: '2025-12-31',
    tz: 'Europe/Berlin',
    seed: 42,
    chunkEvents: 3_000_000,
    tables,
  });

  it('gives the average day the requested volume', () => {
    const mean = year.expectedEvents / 365;
    assert.ok(Math.abs(mean - 20_000) < 200, `${mean} a day`);
    assert.equal(year.days[0].date, '2025-01-01');
    assert.equal(year.days[364].date, '2025-12-31');
  });

  it('has quieter weekends, growth over the year and the odd spike', () => {
    const avg = (days: typeof year.days) => days.reduce((a, d) => a + d.expectedEvents, 0) / days.length;
    assert.ok(avg(year.days.filter((d) => !d.weekend)) > 1.3 * avg(year.days.filter((d) => d.weekend)));
    assert.ok(avg(year.days.slice(-60)) > 1.4 * avg(year.days.slice(0, 60)), 'traffic grows');
    const spikes = year.days.filter((d) => d.spikeThreshold > 0);
    assert.ok(spikes.length >= 3 && spikes.length <= 20, `${spikes.length} spike days`);
    assert.ok(year.days.some((d) => d.incident));
  });

  it('starts each day at local midnight, across daylight saving changes', () => {
    const march30 = year.days.find((d) => d.date === '2025-03-30');
    const march31 = year.days.find((d) => d.date === '2025-03-31');
    assert.equal(new Date(march30?.startMs ?? 0).toISOString(), '2025-03-29T23:00:00.000Z');
    assert.equal(new Date(march31?.startMs ?? 0).toISOString(), '2025-03-30T22:00:00.000Z');
  });

  it('numbers visits, logs and changes without gaps, and chunks whole days', () => {
    let visit = 0;
    for (const d of year.days) {
      assert.equal(d.firstVisit, visit);
      visit += d.visits;
    }
    assert.equal(visit, year.visits);
    assert.deepEqual(year.chunks.flat(), year.days);
    assert.ok(
      year.chunks[0].reduce((a, d) => a + d.expectedEvents, 0) <= 3_000_000 / 6 + 40_000,
      'small first chunk',
    );
    for (const chunk of year.chunks.slice(1))
      assert.ok(chunk.reduce((a, d) => a + d.expectedEvents, 0) <= 3_000_000);
  });

  it('is the same for the same seed', () => {
    const again = planDays({
      days: 365,
      eventsPerDay: 20_000,
      end: '2025-12-31',
      tz: 'Europe/Berlin',
      seed: 42,
      chunkEvents: 3_000_000,
      tables,
    });
    assert.deepEqual(again, year);
    const other = planDays({
      days: 365,
      eventsPerDay: 20_000,
      end: '2025-12-31',
      tz: 'Europe/Berlin',
      seed: 43,
      chunkEvents: 3_000_000,
      tables,
    });
    assert.notDeepEqual(other.days, year.days);
  });
});

describe('progress', () => {
  const state = {
    label: 'Seeding demo',
    done: 3_100_000,
    total: 7_300_000,
    elapsedMs: 2500,
    unit: 'events',
    perSecond: 1_240_000,
    etaMs: 3400,
  };

  it('draws a bar with the share done, the rate and the time left', () => {
    assert.equal(
      renderBar(state),
      'Seeding demo [██████████░░░░░░░░░░░░░░]  42%  3,100,000 / 7,300,000 events  1.24 M events/s  ETA 3s  (3s)',
    );
    assert.equal(
      renderLine(state),
      'Seeding demo: 42% (3,100,000 / 7,300,000 events), 1.24 M events/s, ETA 3s',
    );
    assert.equal(
      renderLine({ ...state, done: 0, elapsedMs: 100, perSecond: 0, etaMs: undefined }),
      'Seeding demo: 0% (0 / 7,300,000 events), … events/s, ETA …',
    );
    assert.match(renderLine({ ...state, done: state.total }), /100% .* done$/);
  });

  it('formats rates and durations for people', () => {
    assert.equal(rate(950), '950');
    assert.equal(rate(45_200), '45.2 k');
    assert.equal(rate(1_234_567), '1.23 M');
    assert.equal(duration(4_400), '4s');
    assert.equal(duration(125_000), '2m05s');
    assert.equal(duration(7_260_000), '2h01m');
  });

  it('keeps the rate between updates and counts the time left down', () => {
    const bar = new ProgressBar({ write: () => true }, 'events');
    bar.update('Seeding demo', 0, 10_000_000);
    const start = Date.now();
    while (Date.now() - start < 20); // some work done
    bar.update('Seeding demo', 100, 10_000_000);
    const now = bar.state();
    assert.ok(now.perSecond > 0);
    const later = bar.state(Date.now() + 1000);
    assert.equal(later.perSecond, now.perSecond, 'the rate holds while nothing new is finished');
    assert.ok((now.etaMs ?? 0) - (later.etaMs ?? 0) >= 990, 'the time left counts down');
    bar.stop();
  });

  it('redraws one line on a terminal, and prints plain lines elsewhere', () => {
    const tty: string[] = [];
    const bar = new ProgressBar({ write: (t: string) => tty.push(t), isTTY: true }, 'events');
    bar.update('Seeding demo', 0, 100);
    bar.update('Seeding demo', 50, 100);
    bar.stop();
    assert.ok(tty.slice(0, 2).every((t) => t.startsWith('\r\u001b[K') && !t.includes('\n')));
    assert.equal(tty.at(-1), '\n');

    const log: string[] = [];
    const plain = new ProgressBar({ write: (t: string) => log.push(t) }, 'events');
    plain.update('Seeding demo', 0, 100);
    plain.update('Seeding demo', 50, 100); // within 2 s of the last line: skipped
    plain.update('Seeding demo', 100, 100); // the end always shows
    plain.stop();
    assert.equal(log.length, 2);
    assert.ok(log.every((t) => t.endsWith('\n') && !t.includes('\r')));
    assert.match(log[1], /100%/);
  });
});
