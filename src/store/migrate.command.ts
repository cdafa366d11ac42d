/** `sightline migrate`: applies the migrations the store lacks and lists what it did. */
import { loadConfig } from '../config/config.ts';
import { migrate } from './migrate.ts';
import { openStore } from './store.ts';

export async function runMigrateCli(env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(env);
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  try {
    const result = await migrate(store, undefined, (message) => process.stderr.write(`  ${message}\n`));
    for (const name of result.alreadyApplied) process.stdout.write(`  already applied  ${name}\n`);
    for (const name of result.applied) process.stdout.write(`  applied          ${name}\n`);
    process.stdout.write(`Store is up to date (${result.applied.length} applied now).\n`);
  } finally {
    await store.close();
  }
}
