/**
 * An erasure in a process of its own that stops dead before the statement matching PAUSE_AT (printing PAUSED), so
 * the test can kill -9 it at a known step: no hook in the code under test. Run with the data dir, project, user
 * id and the pattern; the store is opened as `sightline erase` opens it while no server runs.
 */
import { erasePerson } from '../../src/privacy/erase.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';

const [dataDir, project, userId, pauseAt] = process.argv.slice(2);
const pattern = new RegExp(pauseAt);
const store = openStore({ url: 'chdb', dataDir });
await migrate(store);

const paused: Store = new Proxy(store, {
  get(target, name, receiver) {
    const value = Reflect.get(target, name, receiver);
    if (name !== 'exec') return typeof value === 'function' ? value.bind(target) : value;
    return (sql: string, ...rest: unknown[]) => {
      if (!pattern.test(sql)) return (value as Store['exec']).call(target, sql, ...(rest as []));
      process.stdout.write('PAUSED\n');
      // Stays alive (an unsettled promise alone would let the process exit) until it is killed.
      setInterval(() => {}, 60_000);
      return new Promise(() => {});
    };
  },
});

await erasePerson(paused, { project, type: 'user_id', id: userId }, 'crash test');
process.stdout.write('FINISHED\n');
