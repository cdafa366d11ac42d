/**
 * One Apache Kafka broker (KRaft, combined broker + controller) on 127.0.0.1, for tests and development: jars from
 * Maven Central (cached under .cache/kafka/), storage formatted with kafka.tools.StorageTool, started with
 * kafka.Kafka — the classes the official scripts run. No Docker, no tarball, nothing installed by hand.
 *
 *   node scripts/kafka/kafka-broker.ts [--port 9092] [--dir .cache/kafka/dev]   runs one in the foreground
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const KAFKA_VERSION = '4.1.1';
const LIBS = path.join(ROOT, '.cache/kafka', KAFKA_VERSION, 'libs');

/** Fetches the broker's jars once (Maven's own cache in ~/.m2 makes a second machine-wide fetch cheap too). */
export function ensureKafkaJars(): string {
  if (fs.existsSync(path.join(LIBS, `kafka_2.13-${KAFKA_VERSION}.jar`))) return LIBS;
  fs.mkdirSync(LIBS, { recursive: true });
  execFileSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(ROOT, 'scripts/kafka/pom.xml'),
      `-Dkafka.version=${KAFKA_VERSION}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${LIBS}`,
      '-DincludeScope=runtime',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return LIBS;
}

/**
 * `count` distinct free ports, all held open until each is known: ports asked for one after the other can come
 * back equal (the kernel hands a just-closed port out again), and Kafka refuses two listeners on one port.
 */
async function freePorts(count: number, taken: readonly number[] = []): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = net.createServer();
      servers.push(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
      });
      if (!taken.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface KafkaBroker {
  /** `127.0.0.1:<port>` */
  bootstrap: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  /** Stops the broker (SIGTERM, then SIGKILL after 15 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (after `stop`), for outage tests. */
  restart(): Promise<void>;
}

export interface KafkaOptions {
  /** Private folder for its data and logs. */
  dir: string;
  port?: number;
  heapMb?: number;
}

export async function startKafkaBroker(options: KafkaOptions): Promise<KafkaBroker> {
  const libs = ensureKafkaJars();
  const [port, controllerPort] = options.port
    ? [options.port, ...(await freePorts(1, [options.port]))]
    : await freePorts(2);
  fs.mkdirSync(options.dir, { recursive: true });
  const config = path.join(options.dir, 'server.properties');
  const logFile = path.join(options.dir, 'broker.log');
  const dataDir = path.join(options.dir, 'data');
  if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) {
    fs.writeFileSync(
      config,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        `log.dirs=${dataDir}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
        '',
      ].join('\n'),
    );
    // A KRaft cluster id: 16 random bytes, base64url without padding (what `kafka-storage random-uuid` prints).
    // Like Kafka's own Uuid.randomUuid, never one that starts with "-": the tool's argument parser would take it
    // for an option (1 run in 64 failed before).
    let clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
    execFileSync(
      'java',
      [
        '-cp',
        `${libs}/*`,
        'kafka.tools.StorageTool',
        'format',
        '--standalone',
        '-t',
        clusterId,
        '-c',
        config,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }

  let child!: ChildProcess;
  const launch = async () => {
    const log = fs.openSync(logFile, 'a');
    child = spawn(
      'java',
      [`-Xmx${options.heapMb ?? 512}m`, '-Xms128m', '-cp', `${libs}/*`, 'kafka.Kafka', config],
      {
        stdio: ['ignore', log, log],
      },
    );
    fs.closeSync(log);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`Kafka exited (${code}) before it listened; see ${logFile}`)),
      ),
    );
    const deadline = Date.now() + 60_000;
    const listening = (async () => {
      while (!(await canConnect(port))) {
        if (Date.now() > deadline)
          throw new Error(`Kafka did not listen on ${port} within 60 s; see ${logFile}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await Promise.race([listening, exited]);
    exited.catch(() => undefined);
  };
  await launch();
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  };
  return { bootstrap: `127.0.0.1:${port}`, port, child, logFile, stop, restart: launch };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, dir: { type: 'string' } } });
  const dir = path.resolve(values.dir ?? path.join(ROOT, '.cache/kafka/dev'));
  const broker = await startKafkaBroker({ dir, port: values.port ? Number(values.port) : 9092 });
  process.stdout.write(
    `Kafka ${KAFKA_VERSION} listening on ${broker.bootstrap} (data in ${dir}); Ctrl-C stops it\n`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => broker.stop().then(() => process.exit(0)));
}
