// Migrations 021 and 026 on an upgraded store: the visits of the events stored before them, folded as the processor
// folds them, with the backfill's progress in the migration's log lines.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { listMigrations, migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { OTHER_EVENT_COUNT_COLUMNS, VISIT_CONTENT_COLUMNS } from '../../src/store/visit-contents.ts';
import { migrateBefore } from '../support/migrate-to.ts';
import { tempDir } from '../support/temp-dir.ts';
import { assertVisitsMatchEvents } from '../support/visits-check.ts';

const { dir, cleanup } = tempDir('visits-migration');
const before026 = tempDir('visits-migration-026');
const before033 = tempDir('visits-migration-033');
after(() => {
  cleanup();
  before026.cleanup();
  before033.cleanup();
});

/** Applies every migration left; the progress lines of the one whose name starts with `prefix`. */
async function migrateSaying(store: Store, prefix: string): Promise<string[]> {
  const said: string[] = [];
  await migrate(store, listMigrations(), (m) => said.push(m));
  return said.filter((m) => m.startsWith(prefix));
}

/** Events of one visit (session `s1`, visitor 7, project `m`), each a [type, path, time]. */
function visitEvents(rows: ReadonlyArray<readonly [string, string, string]>): Array<Record<string, string>> {
  return rows.map(([type, path, timestamp], i) => ({
    event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    project: 'm',
    type,
    timestamp,
    received_at: timestamp,
    session_id: 's1',
    visitor_id: '7',
    path,
  }));
}

describe('migration 021 (visits)', () => {
  it('backfills the visits of the stored events, a visit across midnight and one over days included', async () => {
    const store = openStore({ url: 'chdb', dataDir: dir });
    try {
      await migrateBefore(store, 21);
      // The columns of the events table as it stood before 021 (later migrations add some).
      const rows = [
        ['s-night', '2026-10-01 23:55:00.000', '/a', 'https://search.example/'],
        ['s-night', '2026-10-02 00:05:00.000', '/b', ''],
        ['s-days', '2026-10-01 09:00:00.000', '/c', ''],
        ['s-days', '2026-10-04 09:00:00.000', '/d', ''],
        ['s-day', '2026-10-03 12:00:00.000', '/e', ''],
      ];
      await store.insert(
        'events',
        rows.map(([session_id, timestamp, path, referrer], i) => ({
          event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          project: 'm',
          type: 'pageview',
          timestamp,
          received_at: timestamp,
          session_id,
          visitor_id: String(i + 1),
          path,
          referrer,
        })),
        'visits-migration',
      );
      assert.deepEqual(await migrateSaying(store, '021_'), [
        '021_visits (src/store/visits.ts): folding 5 events into visits, slice 1 of 1 (0 %): 2026-10-01 … 2026-10-04',
      ]);
      assert.equal(await assertVisitsMatchEvents(store, 'm', 'after migration 021'), 3);
    } finally {
      await store.close();
    }
  });
});

describe('migration 026 (what each visit holds)', () => {
  it('adds the columns and folds the visits stored before it again, so they hold their pages and events', async () => {
    const store = openStore({ url: 'chdb', dataDir: before026.dir });
    try {
      await migrateBefore(store, 26);
      // A store from before 026: `visits` without the columns, its rows written without them.
      await store.command(
        `ALTER TABLE visits ${VISIT_CONTENT_COLUMNS.map((c) => `DROP COLUMN ${c}`).join(', ')}`,
      );
      const events = visitEvents([
        ['pageview', '/pricing', '2026-10-01 10:00:00.000'],
        ['signup', '/pricing', '2026-10-01 10:01:00.000'],
        ['pageview', '/docs', '2026-10-01 10:02:00.000'],
      ]);
      await store.insert('events', events, 'visits-026');
      await store.exec(
        `INSERT INTO visits (project, tenant_id, session_id, sign, version, visitor_id, started_at, ended_at, pageviews, events)
         VALUES ('m', '', 's1', 1, 1, 7, '2026-10-01 10:00:00.000', '2026-10-01 10:02:00.000', 2, 3)`,
      );
      assert.deepEqual(await migrateSaying(store, '026_'), [
        '026_visit_contents (src/store/visit-contents.ts): folding 3 events into visits, slice 1 of 1 (0 %): 2026-10-01 … 2026-10-01',
      ]);
      assert.equal(await assertVisitsMatchEvents(store, 'm', 'after migration 026'), 1);
      const [row] = await store.query<Record<string, unknown>>(
        `SELECT pages, page_views, event_types, event_counts, other_paths FROM visits WHERE project = 'm'`,
      );
      assert.deepEqual(row, {
        pages: ['/docs', '/pricing'],
        page_views: [1, 1],
        event_types: ['pageview', 'signup'],
        event_counts: [2, 1],
        other_paths: ['/pricing'],
      });
    } finally {
      await store.close();
    }
  });
});

describe('migration 033 (other events by path and type, with counts)', () => {
  it('adds the columns and folds the visits again, so a page holds the count of each type of its other events', async () => {
    const store = openStore({ url: 'chdb', dataDir: before033.dir });
    try {
      await migrateBefore(store, 33);
      // A store from before 033: `other_paths` of distinct paths, no types or counts beside them.
      await store.command(
        `ALTER TABLE visits ${OTHER_EVENT_COUNT_COLUMNS.map((c) => `DROP COLUMN ${c}`).join(', ')}`,
      );
      const events = visitEvents([
        ['pageview', '/pricing', '2026-10-01 10:00:00.000'],
        ['add_to_cart', '/pricing', '2026-10-01 10:01:00.000'],
        ['signup', '/pricing', '2026-10-01 10:02:00.000'],
        ['add_to_cart', '/pricing', '2026-10-01 10:03:00.000'],
        ['click', '/docs', '2026-10-01 10:04:00.000'],
      ]);
      await store.insert('events', events, 'visits-033');
      await store.exec(
        `INSERT INTO visits (project, tenant_id, session_id, sign, version, visitor_id, started_at, ended_at, pageviews, events, other_paths)
         VALUES ('m', '', 's1', 1, 1, 7, '2026-10-01 10:00:00.000', '2026-10-01 10:04:00.000', 1, 5, ['/docs', '/pricing'])`,
      );
      assert.deepEqual(await migrateSaying(store, '033_'), [
        '033_visit_other_event_counts (src/store/visit-contents.ts): folding 5 events into visits, slice 1 of 1 (0 %): 2026-10-01 … 2026-10-01',
      ]);
      assert.equal(await assertVisitsMatchEvents(store, 'm', 'after migration 033'), 1);
      const [row] = await store.query<Record<string, unknown>>(
        `SELECT other_paths, other_types, other_counts FROM visits WHERE project = 'm' AND sign = 1`,
      );
      assert.deepEqual(row, {
        other_paths: ['/docs', '/pricing', '/pricing'],
        other_types: ['click', 'add_to_cart', 'signup'],
        other_counts: [1, 2, 1],
      });
    } finally {
      await store.close();
    }
  });
});
