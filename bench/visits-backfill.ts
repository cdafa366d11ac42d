/**
 * The visits backfill (src/store/visits.ts) on a seeded store, by hash slices (every slice a pass over all events,
 * as before issue 17's fix) and by time slices, in the same run, with the rows of both compared.
 *
 *   SIGHTLINE_DATA_DIR=/tmp/demo node src/cli/main.ts seed --days 90 --events-per-day 28000 --seed 1
 *   node bench/visits-backfill.ts --data /tmp/demo [--events-per-slice N] [--runs 2]
 *
 * `--events-per-slice` sizes both ways' slices (default 20 M: one slice either way on a small store; a smaller
 * value shows how each way grows with the number of slices). Rewrites `visits` of the store it is pointed at.
 */
import { parseArgs } from 'node:util';
import { openStore, type Store } from '../src/store/store.ts';
import {
  EVENTS_PER_PASS,
  insertVisitsFromEvents,
  insertVisitsOfSessions,
  VISITS_TABLE,
} from '../src/store/visits.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    'events-per-slice': { type: 'string' },
    runs: { type: 'string', default: '2' },
  },
});
if (!values.data) {
  process.stderr.write('usage: node bench/visits-backfill.ts --data DIR [--events-per-slice N] [--runs N]\n');
  process.exit(2);
}
const perSlice = Number(values['events-per-slice'] ?? EVENTS_PER_PASS);
const runs = Number(values.runs);

async function timed(label: string, run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  process.stdout.write(`${label}: ${(ms / 1000).toFixed(1)} s\n`);
  return ms;
}

async function visitsDigest(store: Store): Promise<string> {
  const [row] = await store.query<{ n: string; h: string }>(
    `SELECT count() AS n, toString(groupBitXor(cityHash64(*))) AS h FROM ${VISITS_TABLE}`,
  );
  return `${row.n} rows, digest ${row.h}`;
}

const store = openStore({ url: 'chdb', dataDir: values.data });
try {
  const [{ n }] = await store.query<{ n: string }>("SELECT count() AS n FROM events WHERE session_id != ''");
  process.stdout.write(
    `${Number(n).toLocaleString('en-US')} events, ${perSlice.toLocaleString('en-US')} per slice\n`,
  );
  const hashPasses = Math.max(1, Math.ceil(Number(n) / perSlice));
  const ratios: number[] = [];
  for (let run = 1; run <= runs; run++) {
    await store.command(`TRUNCATE TABLE ${VISITS_TABLE}`);
    const byHash = await timed(`run ${run}, by hash (${hashPasses} passes)`, () =>
      // The former backfill: the erasure's rebuild keeps its SQL.
      insertVisitsOfSessions(store, '1', {}, { eventsPerSlice: perSlice }),
    );
    const before = await visitsDigest(store);
    await store.command(`TRUNCATE TABLE ${VISITS_TABLE}`);
    const said: string[] = [];
    const byTime = await timed(`run ${run}, by time`, () =>
      insertVisitsFromEvents(store, '1', {}, (m) => said.push(m), { eventsPerSlice: perSlice }),
    );
    const after = await visitsDigest(store);
    process.stdout.write(`  ${said.at(-1)}\n  by hash ${before}\n  by time ${after}\n`);
    if (before !== after) throw new Error('the two backfills wrote different visits');
    ratios.push(byTime / byHash);
  }
  process.stdout.write(`time / hash: ${ratios.map((r) => r.toFixed(2)).join(', ')}\n`);
} finally {
  await store.close();
}
