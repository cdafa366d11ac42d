// `sightline cdc --kafka`: the agent writes to a scaled-out Sightline's Kafka topic `cdc` instead of POST /cdc.
// All real: Debian's MariaDB with its binlog on, the agent as a child process, a test Kafka broker, and a Sightline
// whose log is that broker (its processor reads `cdc` into db_changes). Through a broker outage and a SIGKILL of the
// agent, every change arrives once.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { spawnCdcAgent } from '../support/cdc-agent.ts';
import { eventually, startInProcess } from '../support/in-process-server.ts';
import { type MariaDb, startMariaDb } from '../support/mariadb.ts';
import { tempDir } from '../support/temp-dir.ts';

const PROJECT = 'shopdb';
const { dir, cleanup } = tempDir('cdc-kafka');
let db: MariaDb;
let conn: Connection;
let broker: KafkaBroker;
let server: Awaited<ReturnType<typeof startInProcess>>;
const agents: ChildProcess[] = [];
const outputs: Array<() => string> = [];

function startAgent(): ChildProcess {
  const agent = spawnCdcAgent([
    '--mysql',
    db.cdcUrl,
    '--kafka',
    broker.bootstrap,
    '--project',
    PROJECT,
    '--state-dir',
    path.join(dir, 'agent-state'),
    '--include',
    'shop.*',
    '--flush-ms',
    '50',
    '--batch-rows',
    '25',
    '--retry-max-ms',
    '500',
    '--request-timeout-ms',
    '5000',
  ]);
  outputs.push(agent.output);
  agents.push(agent.child);
  return agent.child;
}

/** What every agent started here printed. */
const output = () => outputs.map((o) => o()).join('');

async function stored(): Promise<Array<{ id: number; type: string }>> {
  const rows = await server.store.query<{ id: string; type: string }>(
    `SELECT JSONExtractInt(data, 'id') AS id, type FROM db_changes
      WHERE project = {p:String} AND table = 'items' ORDER BY xid, xoffset`,
    { p: PROJECT },
  );
  return rows.map((r) => ({ id: Number(r.id), type: r.type }));
}

before(async () => {
  // Each is kept as soon as it runs, so that when the other fails to start, after() still stops it (a lost
  // MariaDB child would keep this file's process alive for good).
  const started = await Promise.allSettled([
    startMariaDb().then((d) => {
      db = d;
    }),
    startKafkaBroker({ dir: path.join(dir, 'kafka') }).then((b) => {
      broker = b;
    }),
  ]);
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  server = await startInProcess({
    SIGHTLINE_PROJECTS: PROJECT,
    SIGHTLINE_LOG: `kafka://${broker.bootstrap}`,
    SIGHTLINE_KAFKA_PARTITIONS: '2',
  });
  conn = await db.connect();
  await conn.query('CREATE DATABASE shop');
  await conn.query('CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40), qty INT)');
});

after(async () => {
  for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
  await conn?.end();
  await server?.cleanup();
  await broker?.stop();
  await db?.stop();
  cleanup();
});

describe('sightline cdc --kafka (agent → Kafka topic cdc → processors)', () => {
  it('delivers every change once through a broker outage and an agent SIGKILL', async () => {
    let agent = startAgent();
    await eventually(async () => (output().includes('reading the binlog') ? true : undefined), 60_000);
    for (let i = 1; i <= 40; i++)
      await conn.query('INSERT INTO shop.items VALUES (?, ?, ?)', [i, `item ${i}`, i]);
    await conn.query('UPDATE shop.items SET qty = qty + 1 WHERE id <= 5');
    await conn.query('DELETE FROM shop.items WHERE id = 40');
    await eventually(async () => ((await stored()).length >= 46 ? true : undefined), 60_000);

    // The broker goes away: the agent keeps reading into its spool and delivers when Kafka is back.
    await broker.stop();
    for (let i = 41; i <= 80; i++)
      await conn.query('INSERT INTO shop.items VALUES (?, ?, ?)', [i, `item ${i}`, i]);
    await eventually(
      async () => (/delivery to Kafka topic cdc .* failed; retrying/.test(output()) ? true : undefined),
      60_000,
    );
    await broker.restart();
    await eventually(async () => ((await stored()).length >= 86 ? true : undefined), 120_000);

    // Killed while writing: a batch Kafka acknowledged just before the kill is sent again and stored once.
    const writing = (async () => {
      for (let i = 81; i <= 200; i++)
        await conn.query('INSERT INTO shop.items VALUES (?, ?, ?)', [i, `item ${i}`, i]);
    })();
    await new Promise((r) => setTimeout(r, 300));
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    await writing;
    agent = startAgent();
    const rows = await eventually(async () => {
      const r = await stored();
      return r.filter((x) => x.type === 'insert').length >= 200 ? r : undefined;
    }, 120_000);
    // A late repeat would show up within a few batches' time.
    await new Promise((r) => setTimeout(r, 1_500));
    const all = await stored();
    assert.equal(all.length, rows.length);
    const inserts = all.filter((r) => r.type === 'insert').map((r) => r.id);
    assert.deepEqual(
      inserts,
      Array.from({ length: 200 }, (_, i) => i + 1),
      'every insert once, in binlog order',
    );
    assert.equal(all.filter((r) => r.type === 'update').length, 5);
    assert.deepEqual(
      all.filter((r) => r.type === 'delete').map((r) => r.id),
      [40],
    );
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
  });
});
