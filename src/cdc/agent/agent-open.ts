/**
 * The agent's first step: check the database, open the state folder (checkpoint, spool, bootstrap record), decide
 * where reading starts and start delivering what is spooled.
 *
 * Where reading starts, in order: after the last spooled batch (read but not yet delivered), else the checkpoint
 * (delivered), else --start-position, else a bootstrap's snapshot position (agent-bootstrap.ts), else the current
 * end of the binlog.
 */
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import type { Logger } from '../../observe/logger.ts';
import { Batcher } from './batcher.ts';
import { type BinlogPosition, formatPosition } from './binlog-position.ts';
import type { BinlogSource } from './binlog-source.ts';
import { BootstrapRegistry } from './bootstrap.ts';
import { Checkpoint } from './checkpoint.ts';
import { HttpTransport } from './http-transport.ts';
import { KafkaTransport } from './kafka-transport.ts';
import type { CdcOptions } from './options.ts';
import { preflight, type ServerFacts } from './preflight.ts';
import { Spool } from './spool.ts';
import { SpoolSender } from './spool-sender.ts';
import { SchemaCache } from './table-schema.ts';

/** What runAgent closes on the way out, in its own order; each step registers what it started. */
export interface AgentResources {
  source?: BinlogSource;
  sink?: SpoolSender;
  batcher?: Batcher;
  status?: NodeJS.Timeout;
}

export interface AgentContext {
  o: CdcOptions;
  logger: Logger;
  pool: Pool;
  /** Aborted when the agent stops (signal, or a failure on the way out). */
  stopping: AbortSignal;
  resources: AgentResources;
}

export interface OpenedAgent extends AgentContext {
  facts: ServerFacts;
  registry: BootstrapRegistry;
  schema: SchemaCache;
  spool: Spool;
  sink: SpoolSender;
  /** Resolves with the error that ended delivery for good, or undefined when it stopped. */
  sinkFailed: Promise<Error | undefined>;
  batcher: Batcher;
  /** Where the binlog is read from, unless a bootstrap snapshot decides it. */
  from: BinlogPosition | 'end';
}

export async function openAgent(ctx: AgentContext): Promise<OpenedAgent> {
  const { o, logger, pool, resources } = ctx;
  const facts = await preflight(pool, o.target, o.serverId, logger);
  const checkpoint = await Checkpoint.open(o.stateDir);
  const spool = await Spool.open(path.join(o.stateDir, 'spool'), checkpoint.state.deliveredSeq);
  const registry = await BootstrapRegistry.open(o.stateDir);
  const schema = new SchemaCache(pool);
  const known = spool.lastEnd ?? checkpoint.state.binlog;
  if (known && o.startPosition)
    logger.warn(
      { checkpoint: formatPosition(known), ignored: formatPosition(o.startPosition) },
      '--start-position ignored: a checkpoint exists (move checkpoint.json and spool/ away to start elsewhere)',
    );
  const from: BinlogPosition | 'end' = known ?? o.startPosition ?? 'end';
  logger.info(
    {
      database: `${o.target.host}:${o.target.port}`,
      server: facts.version,
      central: o.kafka ? `kafka://${o.kafka.brokers.join(',')}/${o.kafka.topic}` : o.url,
      project: o.project,
      stateDir: o.stateDir,
      resumeAt: from === 'end' ? 'current end of the binlog' : formatPosition(from),
      spooled: spool.pendingMessages,
    },
    'sightline cdc starting',
  );

  const sink = new SpoolSender({
    transport: transport(o),
    spool,
    checkpoint,
    stateDir: o.stateDir,
    logger,
    retryCapMs: o.retryMaxMs,
    maxRequestBytes: Math.max(o.batchBytes, 64 * 1024),
  });
  resources.sink = sink;
  const sinkFailed = sink.start().then(
    () => undefined,
    (err: Error) => err,
  );
  const batcher = new Batcher(
    {
      spool,
      logger,
      maxRows: o.batchRows,
      maxBytes: o.batchBytes,
      flushMs: o.flushMs,
      idleCheckpointMs: 5000,
      maxSpoolBytes: o.spoolMaxBytes,
      signal: ctx.stopping,
    },
    known,
  );
  resources.batcher = batcher;
  return { ...ctx, facts, registry, schema, spool, sink, sinkFailed, batcher, from };
}

function transport(o: CdcOptions): KafkaTransport | HttpTransport {
  const userAgent = `sightline-cdc/${process.env.npm_package_version ?? '0.1.0'}`;
  return o.kafka
    ? new KafkaTransport({
        ...o.kafka,
        project: o.project,
        source: `${o.target.host}:${o.target.port}`,
        requestTimeoutMs: o.requestTimeoutMs,
        userAgent,
      })
    : new HttpTransport({
        url: o.url,
        project: o.project,
        key: o.key,
        requestTimeoutMs: o.requestTimeoutMs,
        userAgent,
      });
}
