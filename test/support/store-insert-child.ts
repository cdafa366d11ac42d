/**
 * A process that opens the embedded store in the folder it is given and inserts rows as the processor does (a raw
 * insert in each of the store's two sessions, at once), then prints the tables' counts as JSON. Run by
 * test/store/stdin.int.test.ts with something on its stdin.
 */
import { openStore } from '../../src/store/store.ts';

const [dir, rounds] = process.argv.slice(2);
const store = openStore({ url: 'chdb', dataDir: dir });
for (const table of ['a', 'b'])
  await store.command(
    `CREATE TABLE IF NOT EXISTS ${table} (id UInt64, s String, list Array(LowCardinality(String))) ENGINE = MergeTree ORDER BY id`,
  );
const rows = (round: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: round * 1000 + i, s: `row ${i}`, list: ['p', `q${i}`] }));
const columns = ['id', 's', 'list'];
for (let round = 0; round < Number(rounds); round++)
  await Promise.all([
    store.insert('a', rows(round, 200), `a${round}`, { columns }),
    store.insert('b', rows(round, 50), `b${round}`, { columns, alongside: true }),
  ]);
const [counts] = await store.query('SELECT (SELECT count() FROM a) AS a, (SELECT count() FROM b) AS b');
process.stdout.write(`${JSON.stringify(counts)}\n`);
await store.close();
