// The visit keeper (src/process/visits/) against a real store: whatever part of a group reached the store before a
// crash or a failure, the visits end as one live row per visit equal to its stored events folded.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createWriteGate } from '../../src/privacy/write-gate.ts';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import { foldEvent, type VisitState } from '../../src/process/visits/visit-fold.ts';
import { VisitKeeper } from '../../src/process/visits/visit-keeper.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { VISIT_LIST_MAX } from '../../src/store/visit-contents.ts';
import { insertVisitsFromEvents, insertVisitsOfSessions } from '../../src/store/visits.ts';
import { tempDir } from '../support/temp-dir.ts';
import { assertVisitsMatchEvents } from '../support/visits-check.ts';

const { dir, cleanup } = tempDir('visits');
let store: Store;
before(async () => {
  store = openStore({ url: 'chdb', dataDir: path.join(dir, 'data') });
  await migrate(store);
});
after(async () => {
  await store.close();
  cleanup();
});

const T0 = Date.UTC(2026, 10, 3, 10, 0, 0);
let n = 0;
function event(session: string, minute: number, fields: Partial<EventRow> = {}): EventRow {
  const at = new Date(T0 + minute * 60_000).toISOString();
  return {
    ...blankRow(),
    event_id: randomUUID(),
    project: 'web',
    type: 'pageview',
    timestamp: at,
    received_at: at,
    session_id: session,
    visitor_id: String(1000 + session.length),
    path: `/p${n++ % 4}`,
    channel: 'Direct',
    country: 'DE',
    props: '{}',
    ...fields,
  };
}

let token = 0;
/** `name`: the insert token of a re-delivered group (the same name is the same block, stored once). */
async function insertEvents(events: EventRow[], name = `test-${token++}`) {
  await store.insert('events', events, `events:${name}`);
}
async function insertVisits(rows: object[], t: string) {
  if (rows.length > 0) await store.insert('visits', rows, `visits:${t}`);
}
/** A log batch as the processor stores it: each group's events, then the batch's visit rows. */
async function storeBatch(keeper: VisitKeeper, name: string, ...groups: EventRow[][]) {
  for (const [i, group] of groups.entries()) {
    keeper.add(group);
    await insertEvents(group, `${name}#${i}`);
  }
  const rows = await keeper.rows();
  await insertVisits(rows, name);
  return rows;
}

describe('visits kept as rows', () => {
  it('folds events in any order to the same visit', () => {
    const events = [
      event('a', 3),
      event('a', 1, { type: 'signup', path: '/x', user_id: 'u7' }),
      event('a', 2, { channel: 'Organic Search', country: 'FR' }),
      event('a', 5, { user_id: 'u8' }),
    ];
    const fold = (list: EventRow[]) =>
      list.reduce<VisitState | undefined>((s, e) => foldEvent(s, e), undefined);
    const expected = fold(events)?.row;
    for (const order of [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ])
      assert.deepEqual(fold(order.map((i) => events[i]))?.row, expected);
    assert.equal(expected?.started_at, new Date(T0 + 60_000).toISOString());
    assert.equal(expected?.entry_page, events[2].path, 'the first pageview, not the first event');
    assert.equal(expected?.exit_page, events[3].path);
    assert.equal(expected?.user_id, 'u7', 'the first user id of the visit');
    assert.equal(expected?.channel, 'Direct', "the first event's attributes");
    assert.deepEqual([expected?.pageviews, expected?.events], [3, 4]);
  });

  it('writes one live row per visit across batches, and each batch again after a crash writes nothing twice', async () => {
    const keeper = new VisitKeeper(store);
    // Batch 1: two visits.
    const g1 = [event('s1', 0), event('s1', 2, { type: 'click' }), event('s2', 1)];
    await storeBatch(keeper, 'b1', g1);
    await assertVisitsMatchEvents(store, 'web', 'after batch 1');

    // Batch 2 extends s1 and s2, starts s3; both inserts land, then the process dies before committing the log.
    const g2 = [event('s1', 5), event('s2', 0.5, { channel: 'Referral' }), event('s3', 6)];
    const rows2 = await storeBatch(keeper, 'b2', g2);
    assert.equal(rows2.filter((r) => r.sign === -1).length, 2, 'the two earlier rows are cancelled');
    await assertVisitsMatchEvents(store, 'web', 'after batch 2');
    // Re-delivered to a fresh process: the rows it would write are the stored ones, so it writes none.
    assert.deepEqual(await storeBatch(new VisitKeeper(store), 'b2', g2), []);

    // Batch 3: the events land, the process dies before the visits' insert; the re-delivery writes them.
    const g3 = [event('s1', 7), event('s4', 8), event('s4', 9)];
    await insertEvents(g3, 'b3#0');
    const fresh = new VisitKeeper(store);
    await storeBatch(fresh, 'b3', g3);
    await assertVisitsMatchEvents(store, 'web', 'after batch 3 re-delivered');

    // Batch 4: the insert fails (the store was away): memory is dropped and the retry reads the store again.
    const g4 = [event('s4', 10), event('s1', 11)];
    fresh.add(g4);
    fresh.reset();
    await storeBatch(fresh, 'b4', g4);
    await assertVisitsMatchEvents(store, 'web', 'after batch 4 retried');

    // A later batch on the same keeper continues from memory without reading the store.
    const g5 = [event('s4', 12, { type: 'signup' })];
    await storeBatch(fresh, 'b5', g5);
    const visits = await assertVisitsMatchEvents(store, 'web', 'after batch 5');
    assert.equal(visits, 4);
  });

  it('writes a visit once per batch, and counts each event once when a batch of several groups is re-delivered', async () => {
    const keeper = new VisitKeeper(store);
    await storeBatch(keeper, 'c1', [event('m1', 40), event('m2', 40)]);
    // Two groups touching the same visits: one cancel and one new row per visit for the whole batch.
    const ga = [event('m1', 41), event('m2', 41), event('m3', 41)];
    const gb = [event('m1', 42), event('m3', 42, { type: 'click' })];
    const rows = await storeBatch(keeper, 'c2', ga, gb);
    assert.deepEqual(
      rows.map((r) => [r.session_id, r.sign, r.version]).sort(),
      [
        ['m1', -1, 1],
        ['m1', 1, 2],
        ['m2', -1, 1],
        ['m2', 1, 2],
        ['m3', 1, 1],
      ].sort(),
    );
    await assertVisitsMatchEvents(store, 'web', 'after a batch of two groups');

    // The next batch's events all land, the process dies before its visits; the re-delivery (every group again)
    // must count the later group's events once, though the store holds them when the first group is folded.
    const gc = [event('m1', 43), event('m2', 43)];
    const gd = [event('m1', 44), event('m2', 44, { type: 'signup' })];
    await insertEvents(gc, 'c3#0');
    await insertEvents(gd, 'c3#1');
    await storeBatch(new VisitKeeper(store), 'c3', gc, gd);
    await assertVisitsMatchEvents(store, 'web', 'after a re-delivered batch of two groups');
  });

  it('makes the rows of held visits without the store (stored beside the last events); a row landed before its events is made right on re-delivery', async () => {
    const keeper = new VisitKeeper(store);
    // A project of its own: the tests below count the events of `web`.
    const own = { project: 'beside' };
    await storeBatch(keeper, 'e1', [event('z1', 60, own), event('z2', 60, own)]);
    // The next batch touches held visits only: its rows need nothing stored first.
    const g = [event('z1', 61, own), event('z2', 62, { ...own, type: 'signup' })];
    keeper.add(g);
    assert.equal(keeper.readsStore(), false);
    const rows = await keeper.rows();
    assert.equal(rows.length, 4, 'a cancel and a new row for each');
    // The rows land first (beside the events' insert), and the process dies before the events do.
    await insertVisits(rows, 'e2');
    // Re-delivered to a fresh process: nothing held, so the rows are made after the events are stored.
    const fresh = new VisitKeeper(store);
    fresh.add(g);
    assert.equal(fresh.readsStore(), true);
    await insertEvents(g, 'e2#0');
    assert.deepEqual(await fresh.rows(), [], 'the rows that landed are the fold of the events now stored');
    await assertVisitsMatchEvents(store, 'beside', 'after the re-delivery');
  });

  it('drops the visits it holds after an erasure, and folds the next batch from what the store kept', async () => {
    const gate = createWriteGate();
    const keeper = new VisitKeeper(store, { generation: gate.generation });
    const mine = event('x1', 50, { user_id: 'erased-user' });
    await storeBatch(keeper, 'x-b1', [event('x1', 49), mine, event('x1', 51, { type: 'click' })]);
    // An erasure in this process, as src/privacy/erase.ts runs it: the person's events go, the visit is rebuilt.
    await gate.hold(async () => {
      await store.exec(
        `ALTER TABLE events DELETE WHERE project = 'web' AND user_id = 'erased-user' SETTINGS mutations_sync = 2`,
      );
      await store.exec(
        `ALTER TABLE visits DELETE WHERE project = 'web' AND session_id = 'x1' SETTINGS mutations_sync = 2`,
      );
      await insertVisitsOfSessions(store, "project = 'web' AND session_id = 'x1'");
    });
    // The next batch extends the visit: the held row (three events, the user's among them) is not what is cancelled.
    await storeBatch(keeper, 'x-b2', [event('x1', 52)]);
    await assertVisitsMatchEvents(store, 'web', 'after an erasure in the visit');
  });

  it('keeps one visit per project and tenant of a session id they share, within a batch and across batches', async () => {
    const keeper = new VisitKeeper(store);
    const shared = (minute: number, fields: Partial<EventRow> = {}) =>
      event('shared-id', minute, { project: 'shared', ...fields });
    // Interleaved in one group: the id's first event is the plain project's, the others come between its events.
    const g1 = [
      shared(40),
      shared(40.5, { tenant_id: 't1', country: 'FR' }),
      shared(41, { project: 'shared-other' }),
      shared(42),
      shared(42.5, { tenant_id: 't1', type: 'signup' }),
    ];
    const rows1 = await storeBatch(keeper, 'shared-b1', g1);
    assert.deepEqual(rows1.map((r) => [r.project, r.tenant_id, r.sign, r.events]).sort(), [
      ['shared', '', 1, 2],
      ['shared', 't1', 1, 2],
      ['shared-other', '', 1, 1],
    ]);
    // The next batch extends the three from memory: each earlier row cancelled, none mixed with another's.
    const g2 = [shared(43, { project: 'shared-other' }), shared(43.5, { tenant_id: 't1' }), shared(44)];
    const rows2 = await storeBatch(keeper, 'shared-b2', g2);
    assert.equal(rows2.filter((r) => r.sign === -1).length, 3);
    assert.equal(await assertVisitsMatchEvents(store, 'shared', 'a session id of two tenants'), 2);
    assert.equal(await assertVisitsMatchEvents(store, 'shared-other', 'a session id of another project'), 1);
  });

  it('skips the store lookup for a visit the session tracker just opened', async () => {
    const opened = new Set(['new-1']);
    const keeper = new VisitKeeper(store, { openedNow: (id) => opened.delete(id) });
    const g = [event('new-1', 30), event('new-1', 31)];
    const rows = await storeBatch(keeper, 'new-1', g);
    assert.deepEqual(
      rows.map((r) => [r.sign, r.version, r.pageviews]),
      [[1, 1, 2]],
    );
    await assertVisitsMatchEvents(store, 'web', 'a visit opened now');
  });

  it('holds what each visit viewed and sent, in the order the store sorts text, as the backfill does', async () => {
    const keeper = new VisitKeeper(store);
    const ev = (minute: number, type: string, path: string) =>
      event('contents', minute, { project: 'contents', type, path });
    // Text whose UTF-16 order is not its bytes' order (a character above U+FFFF against U+E000–FFFF).
    const rows = await storeBatch(
      keeper,
      'contents-1',
      [ev(0, 'pageview', '/😀'), ev(1, 'pageview', '/\uE000'), ev(2, 'click', '/help')],
      [ev(3, 'pageview', '/a'), ev(4, 'pageview', '/😀'), ev(5, 'signup', '/é')],
    );
    // A path first seen on another event, viewed later (in both lists then), another event on a viewed page, and a
    // path with events of two types (one of them twice).
    await storeBatch(keeper, 'contents-2', [
      ev(6, 'pageview', '/help'),
      ev(7, 'click', '/a'),
      ev(8, 'signup', '/help'),
      ev(9, 'click', '/help'),
    ]);
    const [row] = rows;
    assert.deepEqual(
      [
        row.pages,
        row.page_views,
        row.event_types,
        row.event_counts,
        row.other_paths,
        row.other_types,
        row.other_counts,
      ],
      [
        ['/a', '/\uE000', '/😀'],
        [1, 1, 2],
        ['click', 'pageview', 'signup'],
        [1, 4, 1],
        ['/help', '/é'],
        ['click', 'signup'],
        [1, 1],
      ],
    );
    const [live] = await store.query<Record<string, unknown>>(
      `SELECT pages, page_views, event_types, event_counts, other_paths, other_types, other_counts FROM visits
       WHERE project = 'contents' AND sign = 1 ORDER BY version DESC LIMIT 1`,
    );
    assert.deepEqual(live, {
      pages: ['/a', '/help', '/\uE000', '/😀'],
      page_views: [1, 1, 1, 2],
      event_types: ['click', 'pageview', 'signup'],
      event_counts: [3, 5, 2],
      other_paths: ['/a', '/help', '/help', '/é'],
      other_types: ['click', 'click', 'signup', 'signup'],
      other_counts: [1, 2, 1, 1],
    });
    assert.equal(await assertVisitsMatchEvents(store, 'contents', 'contents'), 1);
  });

  it('folds onto a row a processor from before migration 033 wrote (other paths without types or counts)', async () => {
    const ev = (minute: number, type: string, path: string) =>
      event('legacy', minute, { project: 'legacy', type, path });
    await storeBatch(new VisitKeeper(store), 'legacy-1', [ev(0, 'pageview', '/b'), ev(1, 'click', '/a')]);
    await store.command(
      `ALTER TABLE visits UPDATE other_types = [], other_counts = [] WHERE project = 'legacy' SETTINGS mutations_sync = 1`,
    );
    // A keeper that holds nothing reads the live row back (to cancel it) and folds the visit from its stored events.
    const rows = await storeBatch(new VisitKeeper(store), 'legacy-2', [
      ev(2, 'click', '/a'),
      ev(3, 'signup', '/c'),
    ]);
    const live = rows.find((r) => r.sign === 1);
    const cancel = rows.find((r) => r.sign === -1);
    assert.deepEqual(
      [live?.other_paths, live?.other_types, live?.other_counts],
      [
        ['/a', '/c'],
        ['click', 'signup'],
        [2, 1],
      ],
    );
    // The cancel copies the stored row, its lists made as long as its paths.
    assert.deepEqual([cancel?.other_paths, cancel?.other_types, cancel?.other_counts], [['/a'], [''], [1]]);
    assert.equal(await assertVisitsMatchEvents(store, 'legacy', 'after a row without types or counts'), 1);
  });

  it('keeps the smallest VISIT_LIST_MAX values of each list, whatever order the events come in', async () => {
    const keeper = new VisitKeeper(store);
    const ev = (minute: number, type: string, path: string) =>
      event('capped', minute, { project: 'capped', type, path });
    // 150 distinct pages (each viewed twice) and 150 distinct click paths, shuffled over three batches.
    const pages = Array.from({ length: 150 }, (_, i) => `/p${String(i).padStart(3, '0')}`);
    const events = pages.flatMap((p, i) => [
      ev(i, 'pageview', p),
      ev(i, 'pageview', p),
      ev(i, 'click', `/c${p}`),
    ]);
    let seed = 7;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return seed;
    };
    const shuffled = events
      .map((e) => ({ e, k: next() }))
      .sort((a, b) => a.k - b.k)
      .map(({ e }) => e);
    for (let b = 0; b < 3; b++)
      await storeBatch(keeper, `capped-${b}`, shuffled.slice(b * 150, (b + 1) * 150));
    const [live] = await store.query<{
      pages: string[];
      page_views: number[];
      other_paths: string[];
      other_types: string[];
      other_counts: number[];
    }>(
      `SELECT pages, page_views, other_paths, other_types, other_counts FROM visits
       WHERE project = 'capped' AND sign = 1 ORDER BY version DESC LIMIT 1`,
    );
    assert.deepEqual(live.pages, pages.slice(0, VISIT_LIST_MAX));
    assert.deepEqual(live.page_views, Array(VISIT_LIST_MAX).fill(2));
    assert.deepEqual(
      live.other_paths,
      pages.slice(0, VISIT_LIST_MAX).map((p) => `/c${p}`),
    );
    assert.deepEqual(live.other_types, Array(VISIT_LIST_MAX).fill('click'));
    assert.deepEqual(live.other_counts, Array(VISIT_LIST_MAX).fill(1));
    assert.equal(await assertVisitsMatchEvents(store, 'capped', 'capped'), 1);
  });

  it('gives the migration backfill and the processor the same rows', async () => {
    await store.command('TRUNCATE TABLE visits');
    const said: string[] = [];
    await insertVisitsFromEvents(store, "project = 'web'", {}, (message) => said.push(message));
    assert.deepEqual(said, ['folding 28 events into visits, slice 1 of 1 (0 %): 2026-11-03 … 2026-11-03']);
    assert.equal(await assertVisitsMatchEvents(store, 'web', 'backfilled'), 9);
  });

  it('backfills in slices by day without cutting a visit that crosses one, however long', async () => {
    const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 9, day, hour, minute);
    const ev = (session: string, ms: number, fields: Partial<EventRow> = {}) =>
      event(session, (ms - T0) / 60_000, { project: 'sliced', ...fields });
    await insertEvents([
      // Across midnight: starts on the 1st, its exit page and its user id come on the 2nd.
      ev('midnight', at(1, 23, 50), { referrer: 'https://search.example/', channel: 'Organic Search' }),
      ev('midnight', at(2, 0, 10), { user_id: 'u-midnight', path: '/exit' }),
      // A client's session id kept for days: events on the 1st, the 3rd and the 5th, a gap of days between.
      ev('long', at(1, 10), { type: 'signup' }),
      ev('long', at(3, 12)),
      ev('long', at(5, 9), { type: 'purchase' }),
      ev('long', at(5, 9, 5), { is_bot: true }),
      // The same id in two tenants: two visits, one starting on the 2nd, one on the 4th and ending on the 6th.
      ev('shared', at(2, 8), { tenant_id: 't1' }),
      ev('shared', at(4, 8), { tenant_id: 't2', country: 'FR' }),
      ev('shared', at(6, 8), { tenant_id: 't2' }),
      // Days of their own, and a day with no visit starting (the 3rd, the 5th hold later events only).
      ev('short-2', at(2, 12)),
      ev('short-2', at(2, 12, 3)),
      ev('short-4', at(4, 20)),
      ev('short-6', at(6, 1)),
      ev('short-6', at(6, 2), { type: 'signup' }),
      // Not selected by the backfill's condition: neither a visit nor part of one.
      ev('long', at(4, 0), { project: 'sliced-not' }),
      ev('other', at(2, 0), { project: 'sliced-not' }),
    ]);
    await store.command('TRUNCATE TABLE visits');
    const said: string[] = [];
    // Four events a slice: a day whose visits hold more is a slice of its own.
    await insertVisitsFromEvents(store, "project = 'sliced'", {}, (m) => said.push(m), { eventsPerSlice: 4 });
    assert.deepEqual(said, [
      'finding where the visits of 14 events start',
      'folding 14 events into visits, slice 1 of 4 (0 %): visits starting 2026-10-01',
      'folding 14 events into visits, slice 2 of 4 (43 %): visits starting 2026-10-02',
      'folding 14 events into visits, slice 3 of 4 (64 %): visits starting 2026-10-04',
      'folding 14 events into visits, slice 4 of 4 (86 %): visits starting 2026-10-06',
    ]);
    assert.equal(await assertVisitsMatchEvents(store, 'sliced', 'backfilled by day'), 7);
    const rows = await store.query<{ id: string; events: string }>(
      `SELECT concat(tenant_id, '/', session_id) AS id, events FROM visits
       WHERE project = 'sliced' ORDER BY id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.id, Number(r.events)]),
      [
        ['/long', 4],
        ['/midnight', 2],
        ['/short-2', 2],
        ['/short-4', 1],
        ['/short-6', 2],
        ['t1/shared', 1],
        ['t2/shared', 2],
      ],
    );
    // No helper table is left behind.
    const left = await store.query("SELECT name FROM system.tables WHERE name LIKE 'visits\\_backfill\\_%'");
    assert.deepEqual(left, []);
  });
});
