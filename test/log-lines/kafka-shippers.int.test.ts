// Log shippers and Maxwell writing straight to Kafka: a real rsyslog from Debian's packages (rsyslog-kafka's
// omkafka) sends syslog lines to topic app.logs, Fluent Bit/Filebeat-shaped JSON and Maxwell messages are produced
// as those tools write them — a Sightline on Kafka stores them in `logs` and `db_changes`; junk is dead-lettered.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { freePort } from '../support/free-port.ts';
import { eventually } from '../support/in-process-server.ts';
import { ADMIN_TOKEN, type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('shippers');
let broker: KafkaBroker;
let server: ServerProcess;
let rsyslog: ChildProcess | undefined;
let syslogPort: number;

async function explore<T>(sql: string): Promise<T[]> {
  const res = await fetch(`${server.url}/api/v1/explore/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { rows: T[] }).rows;
}

before(async () => {
  broker = await startKafkaBroker({ dir: path.join(dir, 'kafka') });
  server = await startServerProcess(path.join(dir, 'server'), {
    SIGHTLINE_LOG: `kafka://${broker.bootstrap}`,
    SIGHTLINE_KAFKA_PARTITIONS: '1',
    SIGHTLINE_DASHBOARD: 'false',
    SIGHTLINE_KAFKA_SHIPPER_PROJECT: 'website',
  });
  // rsyslog with a private configuration: UDP syslog in on a loopback port, omkafka out to the test broker.
  syslogPort = await freePort();
  const work = path.join(dir, 'rsyslog');
  fs.mkdirSync(work, { recursive: true });
  const conf = path.join(work, 'rsyslog.conf');
  fs.writeFileSync(
    conf,
    `global(workDirectory="${work}")
module(load="imudp")
module(load="omkafka")
input(type="imudp" address="127.0.0.1" port="${syslogPort}")
action(type="omkafka" broker=["${broker.bootstrap}"] topic="app.logs" template="RSYSLOG_SyslogProtocol23Format"
       confParam=["socket.keepalive.enable=true"])
`,
  );
  rsyslog = spawn('/usr/sbin/rsyslogd', ['-n', '-f', conf, '-i', path.join(work, 'rsyslog.pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(rsyslog.exitCode, null, 'rsyslogd is running');
});

after(async () => {
  rsyslog?.kill('SIGTERM');
  server?.child.kill('SIGTERM');
  if (server) await server.exited;
  await broker?.stop();
  cleanup();
});

describe('Kafka topics written by shippers and Maxwell', () => {
  it('rsyslog (omkafka) → app.logs → logs rows', async () => {
    const socket = dgram.createSocket('udp4');
    const line =
      '<30>1 2026-11-24T10:00:00.000Z web-1 nginx 4242 - - upstream timed out while reading response';
    await new Promise<void>((resolve, reject) =>
      socket.send(line, syslogPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
    socket.close();
    const rows = await eventually(async () => {
      const found = await explore<Record<string, string>>(
        "SELECT project, host, service, level, message, source FROM logs WHERE message LIKE '%upstream timed out%'",
      );
      return found.length > 0 ? found : undefined;
    }, 60_000);
    assert.deepEqual(rows[0], {
      project: 'website',
      host: 'web-1',
      service: 'nginx',
      level: 'info',
      message: 'upstream timed out while reading response',
      source: 'syslog',
    });
  });

  it("Fluent Bit's and Filebeat's JSON messages, Maxwell's changes, and junk", async () => {
    const producer = new Producer({
      clientId: 'shippers',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
      acks: ProduceAcks.ALL,
    });
    await producer.send({
      messages: [
        // Fluent Bit's kafka output (Format json, Timestamp_Key @timestamp).
        {
          topic: 'app.logs',
          value: JSON.stringify({
            '@timestamp': 1_764_000_000.5,
            log: 'payment failed for order 17',
            level: 'error',
            kubernetes: { container_name: 'billing', host: 'node-3' },
          }),
        },
        // Filebeat's kafka output (codec.json).
        {
          topic: 'app.logs',
          value: JSON.stringify({
            '@timestamp': '2026-11-24T10:00:01.000Z',
            '@metadata': { beat: 'filebeat', type: '_doc', version: '8.15.0' },
            message: 'cache warmed',
            log: { level: 'info', file: { path: '/var/log/app/app.log' } },
            host: { name: 'app-2' },
            service: { name: 'api' },
          }),
        },
        { topic: 'app.logs', value: '{"broken json' },
        // Maxwell's own output.
        {
          topic: 'maxwell',
          value: JSON.stringify({
            database: 'shop',
            table: 'orders',
            type: 'update',
            ts: 1_764_000_000,
            xid: 940,
            commit: true,
            position: 'master.000003:1234',
            data: { id: 17, status: 'paid' },
            old: { status: 'new' },
          }),
        },
        { topic: 'maxwell', value: JSON.stringify({ database: 'shop', type: 'insert' }) },
      ],
    });
    await producer.close();
    const logs = await eventually(async () => {
      const found = await explore<Record<string, string>>(
        "SELECT message, level, host, service FROM logs WHERE message IN ('payment failed for order 17', 'cache warmed') ORDER BY message",
      );
      return found.length === 2 ? found : undefined;
    }, 60_000);
    assert.equal(logs[0].message, 'cache warmed');
    assert.equal(logs[0].host, 'app-2');
    assert.equal(logs[1].level, 'error');
    const changes = await eventually(async () => {
      const found = await explore<Record<string, string>>(
        "SELECT database, table, type, project FROM db_changes WHERE database = 'shop'",
      );
      return found.length > 0 ? found : undefined;
    }, 60_000);
    assert.deepEqual(changes, [{ database: 'shop', table: 'orders', type: 'update', project: 'website' }]);
    const dead = await eventually(async () => {
      const found = await explore<{ reason: string }>(
        "SELECT reason FROM dead_letters WHERE envelope_id LIKE 'app.logs@%' OR envelope_id LIKE 'maxwell@%' ORDER BY reason",
      );
      return found.length >= 2 ? found : undefined;
    }, 60_000);
    assert.ok(
      dead.some((d) => /bad_change/.test(d.reason)),
      JSON.stringify(dead),
    );
    assert.ok(
      dead.some((d) => /bad_log_line|JSON/i.test(d.reason)),
      JSON.stringify(dead),
    );
  });
});
