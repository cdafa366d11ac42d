/**
 * The binlog, read as a replica through @vlasky/zongji, as a stream of whole transactions: rows are gathered until
 * the commit (the XID event carries the transaction id Maxwell reports) and only then handed on, together with the
 * position right after the commit — the only kind of place a reader may resume from.
 *
 * Losing the connection (server restart, KILL, network) is not an error to the consumer: the source reconnects with
 * capped exponential backoff and resumes right after the last transaction it handed on, dropping the half-read one,
 * so nothing is skipped or repeated. A silent network (half-open TCP) is caught by asking the server for heartbeats
 * and reconnecting when neither data nor heartbeat arrives.
 */
import ZongJi, { type AnyBinlogEvent } from '@vlasky/zongji';
import type { Logger } from '../../observe/logger.ts';
import { Backoff } from './backoff.ts';
import { type BinlogPosition, formatPosition } from './binlog-position.ts';
import { type SourceItem, TransactionAssembler } from './binlog-transactions.ts';
import {
  BinlogUnavailableError,
  connectionOptions,
  describeMysqlError,
  isPermanentBinlogError,
  type MysqlTarget,
} from './mysql-connection.ts';
import type { TableFilter } from './table-filter.ts';

export interface BinlogSourceOptions {
  target: MysqlTarget;
  /** This reader's server id among the database's replicas. */
  replicaServerId: number;
  /** The database's own server_id, for messages when the binlog does not say (MySQL without GTIDs). */
  databaseServerId?: number;
  from: BinlogPosition | 'end';
  filter: TableFilter;
  logger: Logger;
  heartbeatSeconds?: number;
  reconnectBaseMs?: number;
  reconnectCapMs?: number;
}

/** Transactions queued before reading pauses (the consumer is slower than the binlog). */
const HIGH_WATER = 500;
const LOW_WATER = 100;

export class BinlogSource implements AsyncIterable<SourceItem> {
  readonly #options: BinlogSourceOptions;
  readonly #logger: Logger;
  readonly #backoff: Backoff;
  #zongji: ZongJi | undefined;
  readonly #transactions: TransactionAssembler;
  /** The last GTID event read, if the server writes them. */
  #queue: SourceItem[] = [];
  #wake: (() => void) | undefined;
  #paused = false;
  #stopped = false;
  #fatal: Error | undefined;
  #resumeFrom: BinlogPosition | 'end';
  #lastPacketAt = Date.now();
  #watchdog: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #connects = 0;

  constructor(options: BinlogSourceOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#resumeFrom = options.from;
    this.#transactions = new TransactionAssembler(options, (item) => this.#push(item));
    this.#backoff = new Backoff({
      baseMs: options.reconnectBaseMs ?? 500,
      capMs: options.reconnectCapMs ?? 30_000,
    });
  }

  /** Where the next transaction starts (after the last one handed on); 'end' until the first connection. */
  get position(): BinlogPosition | 'end' {
    return this.#resumeFrom;
  }

  /**
   * Connects and resolves with the position reading starts at. A failure here (wrong password, no privilege, no
   * binlog) rejects with a message naming the fix; later failures are retried.
   */
  start(): Promise<BinlogPosition> {
    return new Promise((resolve, reject) => {
      this.#connect({ resolve, reject });
      const period = (this.#options.heartbeatSeconds ?? 5) * 1000;
      this.#watchdog = setInterval(() => {
        if (this.#paused || !this.#zongji?.ready || this.#stopped) return;
        const silentMs = Date.now() - this.#lastPacketAt;
        if (silentMs > period * 4)
          this.#lost(new Error(`no binlog event or heartbeat for ${Math.round(silentMs / 1000)} s`));
      }, period);
      this.#watchdog.unref();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watchdog);
    clearTimeout(this.#reconnectTimer);
    await this.#teardown();
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourceItem> {
    for (;;) {
      const item = this.#queue.shift();
      if (item) {
        if (this.#paused && this.#queue.length <= LOW_WATER) {
          this.#paused = false;
          this.#lastPacketAt = Date.now();
          this.#zongji?.connection?.resume();
        }
        yield item;
        continue;
      }
      if (this.#fatal) throw this.#fatal;
      if (this.#stopped) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }

  #connect(first?: { resolve: (p: BinlogPosition) => void; reject: (e: Error) => void }): void {
    this.#connects++;
    const target = this.#options.target;
    const from = this.#resumeFrom;
    // mysql2's connection options also steer how zongji decodes values (dateStrings, timezone).
    const zongji = new ZongJi(connectionOptions(target) as ConstructorParameters<typeof ZongJi>[0]);
    this.#zongji = zongji;
    this.#transactions.dropOpen();
    zongji.on('ready', () => {
      this.#lastPacketAt = Date.now();
      // Queued before zongji's dump command on the same connection, so the server knows to send heartbeats
      // (nanoseconds) while the binlog is idle.
      const period = BigInt(this.#options.heartbeatSeconds ?? 5) * 1_000_000_000n;
      zongji.connection?.query(`SET @master_heartbeat_period = ${period}`, () => undefined);
      const at = { file: String(zongji.options.filename), position: Number(zongji.options.position) };
      if (from === 'end') this.#resumeFrom = at;
      this.#logger.info(
        { position: formatPosition(at), server: zongji.serverVersion, reconnect: this.#connects > 1 },
        'reading the binlog',
      );
      first?.resolve(at);
      first = undefined;
    });
    zongji.on('binlog', (event: AnyBinlogEvent) => {
      if (zongji !== this.#zongji) return;
      this.#lastPacketAt = Date.now();
      try {
        this.#transactions.onEvent(zongji, event);
      } catch (err) {
        this.#lost(err as Error);
      }
    });
    zongji.on('error', (err: Error) => {
      if (zongji !== this.#zongji || this.#stopped) return;
      if (first) {
        const reject = first.reject;
        first = undefined;
        void this.#teardown();
        reject(new Error(describeMysqlError(err, target)));
        return;
      }
      this.#lost(err);
    });
    zongji.start({
      serverId: this.#options.replicaServerId,
      ...(from === 'end' ? { startAtEnd: true } : { filename: from.file, position: from.position }),
      includeEvents: [
        'rotate',
        'tablemap',
        'writerows',
        'updaterows',
        'deleterows',
        'xid',
        'query',
        'mariadbgtid',
        'gtid',
        'anonymousgtid',
        'heartbeat',
      ],
    });
  }

  /** The connection is gone or unusable: drop the half-read transaction and reconnect after a backoff. */
  #lost(err: Error): void {
    if (this.#stopped || !this.#zongji) return;
    const target = this.#options.target;
    if (isPermanentBinlogError(err)) {
      this.#fatal = new BinlogUnavailableError(describeMysqlError(err, target));
      void this.#teardown();
      this.#wake?.();
      return;
    }
    const delay = this.#backoff.next();
    this.#logger.warn(
      {
        err: describeMysqlError(err, target),
        retryInMs: delay,
        attempt: this.#backoff.attempts,
        resumeAt: this.#resumeFrom === 'end' ? 'end' : formatPosition(this.#resumeFrom),
      },
      'binlog connection lost; reconnecting',
    );
    void this.#teardown();
    this.#paused = false;
    this.#reconnectTimer = setTimeout(() => {
      if (!this.#stopped) this.#connect();
    }, delay);
  }

  async #teardown(): Promise<void> {
    const zongji = this.#zongji;
    this.#zongji = undefined;
    this.#transactions.dropOpen();
    if (!zongji) return;
    zongji.removeAllListeners('binlog');
    zongji.removeAllListeners('error');
    // Errors of a connection being torn down are noise; without a listener EventEmitter would throw them.
    zongji.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      zongji.once('stopped', () => {
        clearTimeout(timer);
        resolve();
      });
      zongji.stop();
    });
  }

  #push(item: SourceItem): void {
    this.#queue.push(item);
    this.#resumeFrom = item.end;
    this.#backoff.reset();
    if (this.#queue.length >= HIGH_WATER) {
      // Also when already paused: zongji resumes the connection itself after fetching table metadata.
      this.#paused = true;
      this.#zongji?.connection?.pause();
    }
    this.#wake?.();
  }
}
