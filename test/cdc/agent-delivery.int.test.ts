// The CDC agent's delivery path on real files and a real HTTP peer on loopback: the spool and checkpoint survive a
// crash at any step without repeating or losing a batch, and the sink retries, splits and quarantines as promised.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { Checkpoint } from '../../src/cdc/agent/checkpoint.ts';
import { HttpTransport } from '../../src/cdc/agent/http-transport.ts';
import { Spool } from '../../src/cdc/agent/spool.ts';
import { SpoolSender } from '../../src/cdc/agent/spool-sender.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { tempDir } from '../support/temp-dir.ts';

const logger = createLogger('silent');
const at = (position: number) => ({ file: 'binlog.000001', position });
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function folder(): string {
  const { dir, cleanup } = tempDir('cdc-delivery');
  cleanups.push(cleanup);
  return dir;
}

interface Received {
  headers: http.IncomingHttpHeaders;
  lines: string[];
}

/** A loopback HTTP server answering each POST with `answer(body, n)`; records what was accepted (2xx). */
async function receiver(
  answer: (lines: string[], n: number) => { status: number; headers?: Record<string, string> },
) {
  const accepted: Received[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const lines = body.split('\n').filter(Boolean);
      const reply = answer(lines, n++);
      if (reply.status < 300) accepted.push({ headers: req.headers, lines });
      res
        .writeHead(reply.status, reply.headers ?? {})
        .end(reply.status < 300 ? '{"accepted":1}' : '{"error":{}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accepted, requests: () => n };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const msg = (i: number) => JSON.stringify({ database: 'd', table: 't', type: 'insert', ts: 1, data: { i } });

describe('spool and checkpoint', () => {
  it('reopen what was spooled, drop leftovers of a crash and never reuse a sequence number', async () => {
    const dir = folder();
    const spool = await Spool.open(path.join(dir, 'spool'), 0);
    await spool.append([msg(1), msg(2)], at(100));
    await spool.append([], at(200));
    await spool.append([msg(3)], at(300));
    // A crash mid-write leaves a temporary file; one after acknowledging batch 1 leaves batch 1 behind.
    fs.writeFileSync(path.join(dir, 'spool', '000000000004.ndjson.tmp'), 'half');
    const checkpoint = await Checkpoint.open(dir);
    await checkpoint.save({ binlog: at(100), deliveredSeq: 1 });

    const reopened = await Spool.open(
      path.join(dir, 'spool'),
      (await Checkpoint.open(dir)).state.deliveredSeq,
    );
    assert.deepEqual(
      fs.readdirSync(path.join(dir, 'spool')).sort(),
      ['000000000002.ndjson', '000000000003.ndjson'],
      'the acknowledged batch and the torn write are gone',
    );
    assert.equal(reopened.batchCount, 2);
    assert.deepEqual(reopened.lastEnd, at(300));
    const empty = reopened.oldest();
    assert.ok(empty);
    assert.deepEqual(await reopened.read(empty), [], 'a batch that only moves the position');
    await reopened.remove(empty);
    const third = reopened.oldest();
    assert.ok(third);
    assert.deepEqual(await reopened.read(third), [msg(3)]);
    const next = await reopened.append([msg(4)], at(400));
    assert.equal(next.seq, 4);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
    assert.equal(saved.position, 'binlog.000001:100');
    assert.equal(fs.existsSync(path.join(dir, 'checkpoint.json.tmp')), false);
  });
});

describe('HTTP sink', () => {
  async function setup(url: string, options: { maxRequestBytes?: number } = {}) {
    const dir = folder();
    const checkpoint = await Checkpoint.open(dir);
    const spool = await Spool.open(path.join(dir, 'spool'), checkpoint.state.deliveredSeq);
    const sink = new SpoolSender({
      transport: new HttpTransport({ url, project: 'shop', key: 'k-123' }),
      spool,
      checkpoint,
      stateDir: dir,
      logger,
      retryBaseMs: 5,
      retryCapMs: 20,
      ...options,
    });
    cleanups.unshift(() => sink.stop());
    return { dir, checkpoint, spool, sink };
  }

  it('retries an unavailable server with backoff and delivers in order, then checkpoints', async () => {
    const central = await receiver((_lines, n) =>
      n < 3 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 202 },
    );
    const { spool, checkpoint, sink } = await setup(central.url);
    await spool.append([msg(1), msg(2)], at(100));
    await spool.append([msg(3)], at(200));
    void sink.start();
    await until(() => spool.batchCount === 0, 'the spool to drain');
    assert.equal(central.requests(), 5, 'three refusals, then one request per batch');
    assert.deepEqual(
      central.accepted.flatMap((r) => r.lines.map((l) => JSON.parse(l).data.i)),
      [1, 2, 3],
    );
    assert.equal(central.accepted[0].headers['x-app'], 'shop');
    assert.equal(central.accepted[0].headers['x-project-key'], 'k-123');
    assert.equal(central.accepted[0].headers['content-type'], 'application/x-ndjson');
    assert.deepEqual(checkpoint.state, { binlog: at(200), deliveredSeq: 2 });
  });

  it('splits a batch the server finds too large, and resumes a half-sent batch where it stopped', async () => {
    const central = await receiver((lines) => ({ status: lines.length > 2 ? 413 : 202 }));
    const { dir, spool, checkpoint, sink } = await setup(central.url);
    await spool.append([1, 2, 3, 4, 5].map(msg), at(100));
    // As if a previous run got the first two messages acknowledged before it was killed.
    await checkpoint.save({ deliveredSeq: 0, partial: { seq: 1, sent: 2 } });
    void sink.start();
    await until(() => spool.batchCount === 0, 'the spool to drain');
    assert.deepEqual(
      central.accepted.flatMap((r) => r.lines.map((l) => JSON.parse(l).data.i)),
      [3, 4, 5],
    );
    assert.ok(central.accepted.every((r) => r.lines.length <= 2));
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
    assert.equal(saved.partial, undefined);
    assert.equal(saved.deliveredSeq, 1);
  });

  it('keeps messages the server refuses as invalid in rejected/ and goes on', async () => {
    const central = await receiver((lines) => ({
      status: lines.some((l) => JSON.parse(l).data.i === 2) ? 400 : 202,
    }));
    const { dir, spool, sink } = await setup(central.url);
    await spool.append([msg(2)], at(100));
    await spool.append([msg(3)], at(200));
    void sink.start();
    await until(() => spool.batchCount === 0, 'the spool to drain');
    assert.deepEqual(
      central.accepted.map((r) => JSON.parse(r.lines[0]).data.i),
      [3],
    );
    const rejected = fs.readdirSync(path.join(dir, 'rejected')).sort();
    assert.deepEqual(rejected, ['000000000001-0.answer.json', '000000000001-0.ndjson']);
    assert.equal(fs.readFileSync(path.join(dir, 'rejected', rejected[1]), 'utf8'), `${msg(2)}\n`);
  });

  it('keeps retrying a refused key instead of dropping changes', async () => {
    const central = await receiver((_lines, n) => ({ status: n < 2 ? 403 : 202 }));
    const { spool, sink } = await setup(central.url);
    await spool.append([msg(1)], at(100));
    void sink.start();
    await until(() => spool.batchCount === 0, 'the spool to drain');
    assert.equal(central.requests(), 3);
    assert.equal(sink.stats.deliveredMessages, 1);
  });
});
