import { startServe } from '../src/cli/roles.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/observe/logger.ts';
import { BENCH_GOALS, PAGE_CONFIGS, pageCalls } from './dashboard-page.ts';

const dir = process.argv[2];
const which = (process.argv[3] ?? 'plain').split(',');
const extra = process.argv[4] ? JSON.parse(process.argv[4]) : {};
const query = process.argv[5] ? JSON.parse(process.argv[5]) : {};
const TOKEN = 'bench-admin-token-0123456789';
const config = loadConfig({
  SIGHTLINE_PORT: '0',
  SIGHTLINE_HOST: '127.0.0.1',
  SIGHTLINE_DATA_DIR: dir,
  SIGHTLINE_PROJECTS: 'demo',
  SIGHTLINE_ADMIN_TOKEN: TOKEN,
  SIGHTLINE_GOALS: BENCH_GOALS('demo'),
  SIGHTLINE_DASHBOARD: 'false',
  SIGHTLINE_ALERT_INTERVAL_SECONDS: '0',
  ...extra,
});
const server = await startServe(config, createLogger('silent'));
const store = server.store!;
const orig = store.query.bind(store);
let log: Array<{ ms: number; sql: string }> = [];
(store as { query: typeof store.query }).query = async (sql, params, options) => {
  const s = performance.now();
  try {
    return await orig(sql, params, options);
  } finally {
    log.push({ ms: performance.now() - s, sql: sql.replace(/\s+/g, ' ').slice(0, 200) });
  }
};
const base = { project: 'demo', from: '2026-11-01', to: '2026-11-30', tz: 'UTC', ...query };
for (const name of which) {
  const cfg = PAGE_CONFIGS.find((c) => c.name === name)!;
  for (let run = 0; run < 3; run++) {
    log = [];
    const calls = pageCalls(cfg, base);
    const s = performance.now();
    const res = await Promise.all(
      calls.map(async (c) => {
        const t = performance.now();
        const r = await fetch(`${server.url}/api/v1/${c.path}?${new URLSearchParams(c.params)}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        const body = await r.text();
        return `${c.name} ${r.status} ${(performance.now() - t).toFixed(0)}ms ${r.status !== 200 ? body.slice(0, 200) : ''}`;
      }),
    );
    console.log(`== ${name} run ${run}: page ${(performance.now() - s).toFixed(0)} ms`);
    if (run === 2) {
      for (const r of res) console.log('  ', r);
      for (const l of log) console.log(`   ${l.ms.toFixed(0).padStart(5)} ms  ${l.sql}`);
    }
  }
}
await server.close();
