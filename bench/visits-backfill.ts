/**
 * The visits backfill (src/store/visits.ts) on a seeded store, three ways in the same run, with the rows of all three
 * compared: as it was before issue 17's fix (one argMin per column, slices by a hash of the session id, every slice
 * a pass over all events), the fold of today by hash slices (the erasure's rebuild), and today's backfill (slices by
 * the day the visits start).
 *
 *   SIGHTLINE_DATA_DIR=/tmp/demo node src/cli/main.ts seed --days 90 --events-per-day 28000 --seed 1
 *   node bench/visits-backfill.ts --data /tmp/demo [--events-per-slice N] [--runs 1]
 *
 * `--events-per-slice` sizes every way's slices (default 20 M: one slice on a small store; a smaller value shows
 * how each way grows with the number of slices, as a 100 M store would). Rewrites `visits` of the store it reads.
 */
import { parseArgs } from 'node:util';
import { openStore, type Store } from '../src/store/store.ts';
import {
  EVENTS_PER_PASS,
  insertVisitsFromEvents,
  insertVisitsOfSessions,
  VISIT_ATTRIBUTES,
  VISIT_ROW_COLUMNS,
  VISITS_TABLE,
} from '../src/store/visits.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    'events-per-slice': { type: 'string' },
    runs: { type: 'string', default: '1' },
  },
});
if (!values.data) {
  process.stderr.write('usage: node bench/visits-backfill.ts --data DIR [--events-per-slice N] [--runs N]\n');
  process.exit(2);
}
const perSlice = Number(values['events-per-slice'] ?? EVENTS_PER_PASS);
const runs = Number(values.runs);

/** The fold as it was before issue 17's fix: one argMin per column of the first event. */
function formerVisitsSql(where: string): string {
  const first = (c: string) => `argMin(${c}, (timestamp, internal, toString(event_id))) AS ${c}`;
  const visitor = first('visitor_id');
  const attributes = VISIT_ATTRIBUTES.map(first);
  return `SELECT project, tenant_id, session_id, toInt8(1) AS sign, toUInt32(1) AS version, ${visitor},
       argMinIf(user_id, (timestamp, internal, toString(event_id)), user_id != '') AS user_id,
       min(timestamp) AS started_at, max(timestamp) AS ended_at,
       toUInt32(countIf(type = 'pageview')) AS pageviews, toUInt32(count()) AS events, max(is_bot) AS is_bot,
       argMinIf(path, (timestamp, internal, toString(event_id)), type = 'pageview') AS entry_page,
       argMaxIf(path, (timestamp, internal, toString(event_id)), type = 'pageview') AS exit_page,
       ${attributes.join(', ')}
FROM (SELECT *, referrer = '' AS internal FROM events WHERE session_id != '' AND (${where}))
GROUP BY project, tenant_id, session_id`;
}

async function formerBackfill(store: Store, passes: number): Promise<void> {
  for (let slice = 0; slice < passes; slice++)
    await store.exec(
      `INSERT INTO ${VISITS_TABLE} (${VISIT_ROW_COLUMNS.join(', ')})
       ${formerVisitsSql('cityHash64(session_id) % {passes:UInt32} = {slice:UInt32}')}`,
      { passes, slice },
      { insert_deduplicate: '0' },
    );
}

async function timed(store: Store, label: string, run: () => Promise<void>): Promise<[number, string]> {
  await store.command(`TRUNCATE TABLE ${VISITS_TABLE}`);
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  const [row] = await store.query<{ n: string; h: string }>(
    `SELECT count() AS n, toString(groupBitXor(cityHash64(*))) AS h FROM ${VISITS_TABLE}`,
  );
  process.stdout.write(`${label}: ${(ms / 1000).toFixed(1)} s (${row.n} visits, digest ${row.h})\n`);
  return [ms, `${row.n}/${row.h}`];
}

const store = openStore({ url: 'chdb', dataDir: values.data });
try {
  const [{ n }] = await store.query<{ n: string }>("SELECT count() AS n FROM events WHERE session_id != ''");
  const passes = Math.max(1, Math.ceil(Number(n) / perSlice));
  process.stdout.write(
    `${Number(n).toLocaleString('en-US')} events, ${perSlice.toLocaleString('en-US')} per slice\n`,
  );
  for (let run = 1; run <= runs; run++) {
    const [former, a] = await timed(store, `run ${run}, former (hash, ${passes} passes)`, () =>
      formerBackfill(store, passes),
    );
    const [hash, b] = await timed(store, `run ${run}, today's fold by hash`, () =>
      insertVisitsOfSessions(store, '1', {}, { eventsPerSlice: perSlice }),
    );
    const said: string[] = [];
    const [time, c] = await timed(store, `run ${run}, today's backfill by day`, () =>
      insertVisitsFromEvents(store, '1', {}, (m) => said.push(m), { eventsPerSlice: perSlice }),
    );
    process.stdout.write(`  last progress: ${said.at(-1)}\n`);
    if (a !== b || a !== c) throw new Error('the backfills wrote different visits');
    process.stdout.write(
      `  time / former: hash ${(hash / former).toFixed(2)}, by day ${(time / former).toFixed(2)}\n`,
    );
  }
} finally {
  await store.close();
}
