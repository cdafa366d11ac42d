// How the visits backfill cuts the days into slices (src/store/visit-slices.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planVisitSlices } from '../../src/store/visit-slices.ts';

const ms = (day: string, hour = 0) => Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);

describe('visit slices', () => {
  it('joins days up to the budget, keeps an oversized day alone and spans days without visits', () => {
    const slices = planVisitSlices(
      [
        { day: '2026-10-01', events: 3, lastMs: ms('2026-10-05', 9) },
        { day: '2026-10-02', events: 2, lastMs: ms('2026-10-02', 12) },
        { day: '2026-10-03', events: 9, lastMs: ms('2026-10-04', 1) },
        { day: '2026-10-05', events: 1, lastMs: ms('2026-10-05', 3) },
        { day: '2026-10-08', events: 4, lastMs: ms('2026-10-08', 3) },
      ],
      5,
    );
    assert.deepEqual(
      slices.map((s) => [s.firstDay, s.lastDay, s.events, s.eventsBefore]),
      [
        ['2026-10-01', '2026-10-02', 5, 0],
        ['2026-10-03', '2026-10-03', 9, 5],
        ['2026-10-05', '2026-10-08', 5, 14],
      ],
    );
    // Visits starting from the first day's midnight up to the next day after the last; events up to the latest end.
    assert.deepEqual(
      slices.map((s) => [s.fromMs, s.toMs, s.lastMs]),
      [
        [ms('2026-10-01'), ms('2026-10-03'), ms('2026-10-05', 9)],
        [ms('2026-10-03'), ms('2026-10-04'), ms('2026-10-04', 1)],
        [ms('2026-10-05'), ms('2026-10-09'), ms('2026-10-08', 3)],
      ],
    );
  });

  it('has nothing to cut without days', () => {
    assert.deepEqual(planVisitSlices([], 10), []);
  });
});
