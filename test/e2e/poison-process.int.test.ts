// The attack against `sightline serve` run as a child process, as a user runs it: the deep bodies are refused
// at the door, and poison already on the WAL from before (written while the server was down, as an older version
// accepted it) is dead-lettered on restart instead of holding every later event back.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeEnvelope, type Protocol } from '../../src/contract/envelope.ts';
import { CDC_TOPIC, EVENTS_TOPIC, LOGS_TOPIC } from '../../src/contract/topics.ts';
import { WalEventLog } from '../../src/log/wal/wal.log.ts';
import { openStore } from '../../src/store/store.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN_TOKEN, type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('poison-process');
after(cleanup);

const DEEP = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
const ENV = { SIGHTLINE_BATCH_MAX_WAIT_MS: '50', SIGHTLINE_RATE_LIMIT_PER_SECOND: '0' };

async function post(server: ServerProcess, url: string, body: string) {
  const res = await fetch(`${server.url}${url}`, {
    method: 'POST',
    headers: { 'x-app': 'app', 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, json: (await res.json()) as { error?: { code: string; message: string } } };
}

async function storedEvents(server: ServerProcess): Promise<number> {
  const day = new Date().toISOString().slice(0, 10);
  const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const res = await fetch(`${server.url}/api/v1/stats/overview?project=app&from=${day}&to=${next}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { events: number }).events;
}

/** Sends a good event and resolves once it is counted; fails after 2 s. */
async function goodEventStored(server: ServerProcess, before: number): Promise<void> {
  assert.equal((await post(server, '/', '{"type":"good"}')).status, 202);
  const deadline = Date.now() + 2_000;
  while ((await storedEvents(server)) < before + 1) {
    assert.ok(Date.now() < deadline, `the good event was not stored within 2 s:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(server: ServerProcess) {
  server.child.kill('SIGTERM');
  assert.equal((await server.exited).code, 0, server.output());
}

const envelope = (protocol: Protocol, body: string, call?: string) =>
  encodeEnvelope(
    {
      v: 1,
      id: crypto.randomUUID(),
      receivedAt: Date.now(),
      protocol,
      project: 'app',
      ip: '203.0.113.8',
      ua: 'poison',
      headers: {},
      count: 1,
      ...(call ? { call } : {}),
    },
    Buffer.from(body),
  );

describe('poison against a server process', () => {
  it('refuses the deep bodies at the door, dead-letters deep records already on the WAL, and keeps storing', async () => {
    const port = await freePort();
    let server = await startServerProcess(dir, ENV, port);
    const deep = await post(server, '/', `{"type":"click","details":{"x":${DEEP}}}`);
    assert.equal(deep.status, 400);
    assert.equal(deep.json.error?.code, 'COLLECT_ERR_TOO_DEEP');
    assert.match(deep.json.error?.message ?? '', /deeper than 32 levels/);
    const cdc = await post(
      server,
      '/cdc',
      `{"database":"d","table":"t","type":"insert","ts":1,"data":{"x":${DEEP}}}`,
    );
    assert.equal(cdc.status, 400);
    assert.equal(cdc.json.error?.code, 'COLLECT_ERR_TOO_DEEP');
    await goodEventStored(server, 0);
    await stop(server);

    // What an older collector accepted, sitting on the WAL when the new version starts.
    const wal = await WalEventLog.open({ dir: path.join(dir, 'wal') });
    await wal.append(EVENTS_TOPIC, [envelope('native', `{"type":"old-poison","details":{"x":${DEEP}}}`)]);
    await wal.append(LOGS_TOPIC, [envelope('logs', `{"message":"old-poison","x":${DEEP}}`, 'json')]);
    await wal.append(CDC_TOPIC, [
      envelope('cdc', `{"database":"d","table":"old-poison","type":"insert","ts":1,"data":{"x":${DEEP}}}`),
    ]);
    await wal.close();

    server = await startServerProcess(dir, ENV, port);
    await goodEventStored(server, 1);
    // Restarted once more: the dead-lettered records are behind the committed position, nothing is redone.
    await stop(server);
    server = await startServerProcess(dir, ENV, port);
    await goodEventStored(server, 2);
    await stop(server);

    const store = openStore({ url: 'chdb', dataDir: dir });
    try {
      const dead = await store.query<{ source: string; reason: string }>(
        "SELECT source, reason FROM dead_letters WHERE position(payload, 'old-poison') > 0 ORDER BY source",
      );
      assert.deepEqual(
        dead.map((d) => [d.source, d.reason.split(':')[0]]),
        [
          ['cdc', 'too_deep'],
          ['logs', 'bad_log_line'],
          ['native', 'too_deep'],
        ],
      );
      const [events] = await store.query<{ c: string }>(
        "SELECT count() AS c FROM events WHERE type = 'good'",
      );
      assert.equal(Number(events.c), 3);
    } finally {
      await store.close();
    }
  });
});
