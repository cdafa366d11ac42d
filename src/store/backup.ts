/**
 * Backups of the embedded store: every data table frozen (ClickHouse's `ALTER TABLE … FREEZE`: hard links to a
 * consistent set of parts, taken while ingestion goes on), copied out with the schema and a manifest of row counts
 * and checksums; restore recreates the tables, attaches the copied parts and checks the numbers against the
 * manifest. A ClickHouse server has its own BACKUP/RESTORE (see docs/operations.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from './store.ts';

export interface Manifest {
  format: 1;
  createdAt: string;
  tables: Record<string, { rows: number; checksum: string }>;
}

interface TableInfo {
  name: string;
  engine: string;
  data_paths: string[];
}

const DATA_ENGINE = /MergeTree$/;

async function tables(store: Store): Promise<TableInfo[]> {
  return store.query<TableInfo>(
    'SELECT name, engine, data_paths FROM system.tables WHERE database = currentDatabase() AND NOT is_temporary ORDER BY name',
  );
}

/** Rows and an order-independent checksum of every row's values (aggregate states included, as bytes). */
async function fingerprint(store: Store, table: string): Promise<{ rows: number; checksum: string }> {
  const [r] = await store.query<{ rows: number; checksum: string }>(
    `SELECT count() AS rows, toString(groupBitXor(cityHash64(formatRow('TSV', *)))) AS checksum FROM \`${table}\``,
  );
  return { rows: Number(r.rows), checksum: String(r.checksum) };
}

/** Tables first, then materialized views (they write into tables), then plain views (they read them). */
function rank(engine: string): number {
  return DATA_ENGINE.test(engine) ? 0 : engine === 'MaterializedView' ? 1 : 2;
}

export async function backupStore(
  store: Store,
  out: string,
  onTable?: (name: string, done: number, total: number) => void,
): Promise<Manifest> {
  if (store.kind !== 'chdb')
    throw new Error(
      'sightline backup copies the embedded store; for a ClickHouse server use its BACKUP command',
    );
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new Error(`${out} is not empty`);
  fs.mkdirSync(path.join(out, 'tables'), { recursive: true });
  const all = (await tables(store)).sort(
    (a, b) => rank(a.engine) - rank(b.engine) || a.name.localeCompare(b.name),
  );
  const schema: string[] = [];
  for (const t of all) {
    const [row] = await store.query<{ statement: string }>(`SHOW CREATE TABLE \`${t.name}\``);
    schema.push(`${row.statement};`);
  }
  fs.writeFileSync(path.join(out, 'schema.sql'), `${schema.join('\n\n')}\n`);
  const data = all.filter((t) => DATA_ENGINE.test(t.engine));
  const manifest: Manifest = { format: 1, createdAt: new Date().toISOString(), tables: {} };
  const freeze = `sightline_backup_${Date.now()}`;
  for (const [i, t] of data.entries()) {
    await store.command(`ALTER TABLE \`${t.name}\` FREEZE WITH NAME '${freeze}'`);
    try {
      // The fingerprint is taken from the frozen parts' table right after the freeze; rows inserted in between
      // would make it differ, so it is computed from the copy at restore time and compared with this one.
      const dataPath = t.data_paths[0];
      const root = dataPath.slice(0, dataPath.indexOf('/store/'));
      const shadow = path.join(root, 'shadow', freeze, dataPath.slice(root.length + 1));
      const target = path.join(out, 'tables', t.name);
      fs.mkdirSync(target, { recursive: true });
      if (fs.existsSync(shadow))
        for (const part of fs.readdirSync(shadow))
          fs.cpSync(path.join(shadow, part), path.join(target, part), { recursive: true });
      manifest.tables[t.name] = { rows: 0, checksum: '' };
    } finally {
      await store.command(`ALTER TABLE \`${t.name}\` UNFREEZE WITH NAME '${freeze}'`);
    }
    onTable?.(t.name, i + 1, data.length);
  }
  // Fingerprints of what was copied: attach the copy to a scratch table of the same shape and measure it.
  for (const name of Object.keys(manifest.tables))
    manifest.tables[name] = await copiedFingerprint(store, out, name);
  fs.writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Measures the parts copied for `table` by attaching them to a temporary twin of it. */
async function copiedFingerprint(
  store: Store,
  dir: string,
  table: string,
): Promise<{ rows: number; checksum: string }> {
  const twin = `_backup_check_${table}`;
  await store.command(`DROP TABLE IF EXISTS \`${twin}\``);
  await store.command(`CREATE TABLE \`${twin}\` AS \`${table}\``);
  try {
    await attachParts(store, twin, path.join(dir, 'tables', table));
    return await fingerprint(store, twin);
  } finally {
    await store.command(`DROP TABLE IF EXISTS \`${twin}\` SYNC`);
  }
}

async function attachParts(store: Store, table: string, from: string): Promise<void> {
  const [info] = await store.query<TableInfo>(
    'SELECT name, engine, data_paths FROM system.tables WHERE database = currentDatabase() AND name = {t:String}',
    { t: table },
  );
  const detached = path.join(info.data_paths[0], 'detached');
  fs.mkdirSync(detached, { recursive: true });
  for (const part of fs.existsSync(from) ? fs.readdirSync(from) : []) {
    fs.cpSync(path.join(from, part), path.join(detached, part), { recursive: true });
    await store.command(`ALTER TABLE \`${table}\` ATTACH PART '${part.replaceAll("'", '')}'`);
  }
}

/** Replaces every table with the backup's, then checks rows and checksums against the manifest. */
export async function restoreStore(
  store: Store,
  dir: string,
  onTable?: (name: string, done: number, total: number) => void,
): Promise<{ tables: number; rows: number }> {
  if (store.kind !== 'chdb')
    throw new Error('sightline restore fills the embedded store; use RESTORE on a ClickHouse server');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  if (manifest.format !== 1) throw new Error(`unknown backup format ${manifest.format}`);
  const statements = fs
    .readFileSync(path.join(dir, 'schema.sql'), 'utf8')
    .split(/;\n\n|;\n$/)
    .map((s) => s.trim())
    .filter(Boolean);
  // Views first (they depend on tables), then the tables.
  const existing = (await tables(store)).sort((a, b) => rank(b.engine) - rank(a.engine));
  for (const t of existing) await store.command(`DROP TABLE IF EXISTS \`${t.name}\` SYNC`);
  const names = Object.keys(manifest.tables);
  let rows = 0;
  let done = 0;
  for (const statement of statements) {
    await store.command(statement);
    const created = /^CREATE (?:TABLE|MATERIALIZED VIEW|VIEW) (?:\S+\.)?`?([A-Za-z0-9_]+)`?/.exec(
      statement,
    )?.[1];
    if (created && names.includes(created)) {
      await attachParts(store, created, path.join(dir, 'tables', created));
      const got = await fingerprint(store, created);
      const want = manifest.tables[created];
      if (got.rows !== want.rows || got.checksum !== want.checksum)
        throw new Error(
          `restored ${created} does not match the backup: ${got.rows} rows / ${got.checksum}, expected ${want.rows} / ${want.checksum}`,
        );
      rows += got.rows;
      onTable?.(created, ++done, names.length);
    }
  }
  return { tables: names.length, rows };
}
