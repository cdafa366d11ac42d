/**
 * Server-side sessions for clients that send no session id: one visitor's events with less than `timeout` of
 * inactivity between them form one session. Ids are derived from (project, visitor, start time), so a replayed
 * batch gets the same ids. State is bounded (LRU, entries older than the timeout are useless anyway) and rebuilt
 * from the store at start, so a restart in the middle of a session does not split it.
 */
import { createHash } from 'node:crypto';
import { toClickHouseTime } from '../../store/clickhouse-time.ts';
import type { Store } from '../../store/store.ts';
import { LruCache } from '../lru-cache.ts';

interface OpenSession {
  id: string;
  /** Last event time, ms. */
  last: number;
}

export const SESSION_PREFIX = 'sl-';

export class SessionTracker {
  readonly #timeoutMs: number;
  readonly #open: LruCache<string, OpenSession>;
  /** Sessions opened since the visit keeper last asked (it needs no store lookup for a visit that just began). */
  #opened = new Set<string>();

  constructor(timeoutMs: number, maxVisitors = 200_000) {
    this.#timeoutMs = timeoutMs;
    this.#open = new LruCache(maxVisitors);
  }

  /** The session of an event of `visitor` at `time` (ms). */
  assign(project: string, visitor: string, time: number): string {
    const key = `${project}\u0000${visitor}`;
    const open = this.#open.get(key);
    if (open && time - open.last < this.#timeoutMs && open.last - time < this.#timeoutMs) {
      if (time > open.last) open.last = time;
      return open.id;
    }
    const id =
      SESSION_PREFIX +
      createHash('sha256').update(`${project}\u0000${visitor}\u0000${time}`).digest('hex').slice(0, 24);
    this.#open.set(key, { id, last: time });
    if (this.#opened.size >= 100_000) this.#opened = new Set();
    this.#opened.add(id);
    return id;
  }

  /** Whether `id` was opened by this tracker and not asked about since (asking consumes the mark). */
  openedNow(id: string): boolean {
    return this.#opened.delete(id);
  }

  /** Reloads the sessions that may still be open from the events stored recently. */
  async restore(store: Store, now = Date.now()): Promise<number> {
    const rows = await store.query<{ project: string; visitor: string; id: string; last: string }>(
      `SELECT project, toString(visitor_id) AS visitor, argMax(session_id, timestamp) AS id,
              toString(toUnixTimestamp64Milli(max(timestamp))) AS last
       FROM events
       WHERE received_at >= {since:DateTime64(3, 'UTC')} AND visitor_id != 0 AND startsWith(session_id, {prefix:String})
       GROUP BY project, visitor_id`,
      {
        since: toClickHouseTime(now - 2 * this.#timeoutMs),
        prefix: SESSION_PREFIX,
      },
    );
    for (const r of rows)
      this.#open.set(`${r.project}\u0000${r.visitor}`, { id: r.id, last: Number(r.last) });
    return rows.length;
  }
}
