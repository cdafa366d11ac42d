/**
 * The agent, wired: binlog source → Maxwell messages → batcher → spool (durable) → HTTP sink → checkpoint.
 * Three steps: open (agent-open.ts: state folder, start position, delivery), bootstrap (agent-bootstrap.ts: the
 * snapshots asked for), tail (agent-tail.ts: follow the binlog). Whatever a step started is closed here, in order.
 */
import fs from 'node:fs/promises';
import type { Logger } from '../../observe/logger.ts';
import { bootstrapPending } from './agent-bootstrap.ts';
import { type AgentResources, openAgent } from './agent-open.ts';
import { tailBinlog } from './agent-tail.ts';
import { createQueryPool } from './mysql-connection.ts';
import type { CdcOptions } from './options.ts';
import { lockStateDir } from './state-lock.ts';

/** How long a stopping agent keeps delivering what it has spooled before it exits (the spool survives anyway). */
const DRAIN_ON_STOP_MS = 5000;

export async function runAgent(o: CdcOptions, logger: Logger, signal: AbortSignal): Promise<void> {
  await fs.mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  const unlock = await lockStateDir(o.stateDir);
  const pool = createQueryPool(o.target);
  const stopping = new AbortController();
  const onAbort = () => stopping.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const resources: AgentResources = {};
  try {
    const opened = await openAgent({ o, logger, pool, stopping: stopping.signal, resources });
    const from = await bootstrapPending(opened);
    if (from === undefined) return; // stopped during a snapshot
    await tailBinlog(opened, from);
  } finally {
    const { source, batcher, sink, status } = resources;
    clearInterval(status);
    signal.removeEventListener('abort', onAbort);
    stopping.abort();
    await source?.stop();
    // What was read is spooled before exiting; a few seconds are given to deliver it.
    await batcher
      ?.close()
      .catch((err) => logger.error({ err: (err as Error).message }, 'could not spool the last batch'));
    if (sink) {
      await sink.drained(AbortSignal.timeout(DRAIN_ON_STOP_MS));
      await sink.stop();
    }
    await pool.end().catch(() => undefined);
    await unlock();
  }
}
