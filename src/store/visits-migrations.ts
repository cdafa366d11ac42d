/** The migrations that make and remake `visits` (src/store/visits.ts). */
import type { Migration } from './migration.ts';
import type { Store } from './store.ts';
import { OTHER_EVENT_COUNT_COLUMNS, VISIT_CONTENT_COLUMNS, VISIT_CONTENT_TYPES } from './visit-contents.ts';
import { GOAL_COLUMNS, insertVisitsFromEvents, VISIT_COLUMNS, VISITS_DDL, VISITS_TABLE } from './visits.ts';

/** Every visit folded again from the stored events (the migration runs before any processor starts). */
async function refold(store: Store, progress: (message: string) => void): Promise<void> {
  await store.command(`TRUNCATE TABLE ${VISITS_TABLE}`);
  await insertVisitsFromEvents(store, '1', {}, progress);
}

/**
 * Migration 021: the table, then the visits of every event stored before it. Safe to run again: it starts from an
 * empty table (the migration runs before any processor starts, and is recorded only at its end).
 */
export const VISITS_MIGRATION: Migration = {
  version: 21,
  name: '021_visits (src/store/visits.ts)',
  statements: [VISITS_DDL],
  run: refold,
};

/**
 * Migration 026: what each visit holds (src/store/visit-contents.ts), for goals and page filters read from the visit
 * rows — the columns, then every visit folded again so the visits stored before carry them too (a store that gets
 * 021 in the same start folds twice; safe to run again, as 021).
 */
export const VISIT_CONTENTS_MIGRATION: Migration = {
  version: 26,
  name: '026_visit_contents (src/store/visit-contents.ts)',
  statements: VISIT_CONTENT_COLUMNS.map(
    (c, i) =>
      `ALTER TABLE ${VISITS_TABLE} ADD COLUMN IF NOT EXISTS ${c} ${VISIT_CONTENT_TYPES[c]} AFTER ${i === 0 ? 'exit_page' : VISIT_CONTENT_COLUMNS[i - 1]}`,
  ),
  run: refold,
};

/**
 * `ALTER TABLE visits ADD COLUMN` for each of `names`, typed, compressed and placed as `VISIT_COLUMNS` has it (after
 * the column before it there), so a store that gains them matches one made by the DDL.
 */
function addColumns(names: readonly string[]): string[] {
  return VISIT_COLUMNS.flatMap(([name, c], i) =>
    names.includes(name)
      ? [
          `ALTER TABLE ${VISITS_TABLE} ADD COLUMN IF NOT EXISTS ${name} ${c.type}${c.codec ? ` CODEC(${c.codec})` : ''} AFTER ${VISIT_COLUMNS[i - 1][0]}`,
        ]
      : [],
  );
}

/**
 * Migration 031: the goals each visit reached (src/query/visit-goal-bits.ts). Only the columns: every row starts at
 * no epoch, which queries read from the lists as before, and the api stamps the stored rows in the background
 * (src/goals/visit-goal-backfill.ts), so the migration is quick at any size.
 */
export const VISIT_GOALS_MIGRATION: Migration = {
  version: 31,
  name: '031_visit_goals (src/query/visit-goal-bits.ts)',
  statements: addColumns(GOAL_COLUMNS),
};

/**
 * Migration 033: the visit's other events by (path, type) with their counts (src/store/visit-contents.ts), so the
 * sampled pages and event types of a visit filter's visits, their events and conversions included, are read from
 * the visit rows (src/query/queries/visit-lists-breakdown.query.ts). `other_paths` held each path once before:
 * every visit is folded again, as in 026 (the goals' stamps are redone in the background, as after 031).
 */
export const OTHER_EVENT_COUNTS_MIGRATION: Migration = {
  version: 33,
  name: '033_visit_other_event_counts (src/store/visit-contents.ts)',
  statements: addColumns(OTHER_EVENT_COUNT_COLUMNS),
  run: refold,
};
