import { seed } from '../../src/seed/seed.ts';
import type { Store } from '../../src/store/store.ts';

/** The range `seedOctober` fills: 30 whole UTC days, 2026-10-02 to 2026-10-31. */
export const OCTOBER = {
  from: '2026-10-02',
  to: '2026-10-31',
  end: Date.parse('2026-11-01T00:00:00Z'),
} as const;

/** A fixed month of `sightline seed` data for project `demo` (deterministic: a fixed seed and dates). */
export async function seedOctober(store: Store, eventsPerDay = 4_000, seedNumber = 7): Promise<number> {
  const result = await seed(store, {
    project: 'demo',
    days: 30,
    eventsPerDay,
    seed: seedNumber,
    end: OCTOBER.to,
    tz: 'UTC',
    now: OCTOBER.end,
  });
  return result.events;
}
