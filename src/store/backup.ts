/**
 * Backups of the embedded store: every data table frozen (ClickHouse's `ALTER TABLE … FREEZE`: hard links to a
 * consistent set of parts, taken while ingestion goes on), copied out with the schema and a manifest of row counts
 * and checksums; restore first verifies the whole backup (every table's copy attached to a scratch twin, read in
 * full and checked against the manifest, every statement of the schema parsed), and only then drops the store's
 * tables, recreates them, attaches the copied parts and checks the numbers again. A ClickHouse server has its own
 * BACKUP/RESTORE (see docs/operations.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { tightenTree } from './private-dir.ts';
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

/**
 * Tables first (those that keep data and those that keep none, such as the rollups' feed), then materialized views
 * (they write into tables), then plain views (they read them).
 */
function rank(engine: string): number {
  return engine === 'MaterializedView' ? 1 : engine === 'View' ? 2 : 0;
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
  fs.mkdirSync(path.join(out, 'tables'), { recursive: true, mode: 0o700 });
  const all = (await tables(store)).sort(
    (a, b) => rank(a.engine) - rank(b.engine) || a.name.localeCompare(b.name),
  );
  const schema: string[] = [];
  for (const t of all) {
    const [row] = await store.query<{ statement: string }>(`SHOW CREATE TABLE \`${t.name}\``);
    schema.push(`${row.statement};`);
  }
  fs.writeFileSync(path.join(out, 'schema.sql'), `${schema.join('\n\n')}\n`, { mode: 0o600 });
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
      fs.mkdirSync(target, { recursive: true, mode: 0o700 });
      if (fs.existsSync(shadow))
        for (const part of fs.readdirSync(shadow))
          fs.cpSync(path.join(shadow, part), path.join(target, part), { recursive: true });
      // The copies keep the modes of the store's files, which a data dir from before 0700/0600 may not have.
      tightenTree(target);
      manifest.tables[t.name] = { rows: 0, checksum: '' };
    } finally {
      await store.command(`ALTER TABLE \`${t.name}\` UNFREEZE WITH NAME '${freeze}'`);
    }
    onTable?.(t.name, i + 1, data.length);
  }
  // Fingerprints of what was copied: attach the copy to a scratch table of the same shape and measure it.
  for (const name of Object.keys(manifest.tables))
    manifest.tables[name] = await copiedFingerprint(store, out, name);
  fs.writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: 0o600,
  });
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

/** A backup that cannot be restored; nothing in the store was changed. */
export class BackupInvalidError extends Error {
  constructor(dir: string, why: string) {
    super(`${dir} is not a usable backup, the store was left as it is: ${why}`);
  }
}

interface VerifiedBackup {
  manifest: Manifest;
  statements: string[];
  /** The table each statement creates, when it is one of the manifest's. */
  creates: Array<string | undefined>;
}

const CREATED = /^CREATE (?:TABLE|MATERIALIZED VIEW|VIEW) ((?:\S+\.)?`?([A-Za-z0-9_]+)`?)/;

function readManifest(dir: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (err) {
    throw new BackupInvalidError(dir, `manifest.json cannot be read (${(err as Error).message})`);
  }
  if (manifest?.format !== 1) throw new BackupInvalidError(dir, `unknown backup format ${manifest?.format}`);
  const tables = Object.entries(manifest.tables ?? {});
  if (tables.length === 0) throw new BackupInvalidError(dir, 'manifest.json lists no tables');
  for (const [name, t] of tables)
    if (!/^[A-Za-z0-9_]+$/.test(name) || !Number.isSafeInteger(t?.rows) || typeof t?.checksum !== 'string')
      throw new BackupInvalidError(dir, `manifest.json: the entry of "${name}" is damaged`);
  return manifest;
}

/**
 * Everything restore will rely on, checked without touching the store's own tables: the manifest, every statement
 * of the schema (parsed by the server), and every table's copied parts, attached to a scratch twin and read whole
 * (a damaged part fails its checksums there) with rows and checksum compared with the manifest.
 */
async function verifyBackup(
  store: Store,
  dir: string,
  onTable?: (name: string, done: number, total: number) => void,
): Promise<VerifiedBackup> {
  const manifest = readManifest(dir);
  let schema: string;
  try {
    schema = fs.readFileSync(path.join(dir, 'schema.sql'), 'utf8');
  } catch (err) {
    throw new BackupInvalidError(dir, `schema.sql cannot be read (${(err as Error).message})`);
  }
  const statements = schema
    .split(/;\n\n|;\n$/)
    .map((s) => s.trim())
    .filter(Boolean);
  const names = Object.keys(manifest.tables);
  const creates = statements.map((st) => {
    const name = CREATED.exec(st)?.[2];
    return name && names.includes(name) ? name : undefined;
  });
  for (const [i, statement] of statements.entries()) {
    if (!CREATED.test(statement))
      throw new BackupInvalidError(dir, `schema.sql statement ${i + 1} is not a CREATE statement`);
    await store.query(`EXPLAIN AST ${statement}`).catch((err: Error) => {
      throw new BackupInvalidError(dir, `schema.sql statement ${i + 1} does not parse (${err.message})`);
    });
  }
  const missing = names.find((n) => !creates.includes(n));
  if (missing) throw new BackupInvalidError(dir, `schema.sql does not create table "${missing}"`);
  let done = 0;
  for (const [i, name] of creates.entries()) {
    if (!name) continue;
    const twin = `_restore_check_${name}`;
    const head = CREATED.exec(statements[i])?.[1] as string;
    const create = statements[i].replace(head, `\`${twin}\``);
    const folder = path.join(dir, 'tables', name);
    try {
      if (manifest.tables[name].rows > 0 && !fs.existsSync(folder))
        throw new Error(`its folder tables/${name} is missing`);
      await store.command(`DROP TABLE IF EXISTS \`${twin}\` SYNC`);
      await store.command(create);
      await attachParts(store, twin, folder);
      const got = await fingerprint(store, twin);
      const want = manifest.tables[name];
      if (got.rows !== want.rows || got.checksum !== want.checksum)
        throw new Error(
          `${got.rows} rows / checksum ${got.checksum} in the copy, the manifest says ${want.rows} / ${want.checksum}`,
        );
    } catch (err) {
      throw new BackupInvalidError(dir, `table ${name}: ${(err as Error).message}`);
    } finally {
      await store.command(`DROP TABLE IF EXISTS \`${twin}\` SYNC`).catch(() => undefined);
    }
    onTable?.(name, ++done, names.length);
  }
  return { manifest, statements, creates };
}

/**
 * Replaces every table with the backup's once the whole backup has been verified (a damaged or truncated one throws
 * BackupInvalidError and leaves the store as it was), then checks rows and checksums against the manifest again.
 */
export async function restoreStore(
  store: Store,
  dir: string,
  onTable?: (name: string, done: number, total: number, phase: 'verify' | 'restore') => void,
): Promise<{ tables: number; rows: number }> {
  if (store.kind !== 'chdb')
    throw new Error('sightline restore fills the embedded store; use RESTORE on a ClickHouse server');
  const { manifest, statements, creates } = await verifyBackup(store, dir, (name, done, total) =>
    onTable?.(name, done, total, 'verify'),
  );
  const names = Object.keys(manifest.tables);
  // Views first (they depend on tables), then the tables.
  const existing = (await tables(store)).sort((a, b) => rank(b.engine) - rank(a.engine));
  for (const t of existing) await store.command(`DROP TABLE IF EXISTS \`${t.name}\` SYNC`);
  let rows = 0;
  let done = 0;
  for (const [i, statement] of statements.entries()) {
    await store.command(statement);
    const created = creates[i];
    if (created) {
      await attachParts(store, created, path.join(dir, 'tables', created));
      const got = await fingerprint(store, created);
      const want = manifest.tables[created];
      if (got.rows !== want.rows || got.checksum !== want.checksum)
        throw new Error(
          `restored ${created} does not match the backup: ${got.rows} rows / ${got.checksum}, expected ${want.rows} / ${want.checksum}`,
        );
      rows += got.rows;
      onTable?.(created, ++done, names.length, 'restore');
    }
  }
  return { tables: names.length, rows };
}
