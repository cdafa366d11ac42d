/**
 * The suppression list: people erased with a grace period (`--suppress-days N`, `?suppress_days=N`), whose events
 * the processor drops — never stores, only counts — until the period ends. A client that keeps sending (an app
 * still logged in, a retried batch) would otherwise bring the person back right after the erasure.
 *
 * It also holds every erasure's marker: the hash and the time of each user-id erasure (read from the audit,
 * `privacy_requests`, which keeps both for good). An event of that person *received before* the erasure is dropped
 * whenever it reaches the processor again — the log re-read after a crash, a Kafka group reset, `sightline replay`
 * of the raw archive — so a replay never restores an erased person, while what they send after it is stored (unless
 * suppressed).
 *
 * Only hashes are kept (`subjectHash`: SHA-256 of project, type and id). The processor holds them in memory, loaded
 * at start and refreshed every few seconds, so the check costs one hash per event with a user id while a suppression
 * is active or the event was received before the latest erasure, and nothing otherwise. An erasure in the same
 * process adds its entries at once.
 */
import type { Logger } from '../observe/logger.ts';
import type { EventRow } from '../process/event-row.ts';
import type { Store } from '../store/store.ts';
import { JOURNAL_TABLE } from './person-rows.ts';
import { type Subject, sessionHash, subjectHash } from './subject.ts';

export const SUPPRESSIONS_TABLE = 'privacy_suppressions';
/** How often the processor reads the list again: an erasure made by another process takes effect within this. */
export const REFRESH_MS = 5_000;
export const MAX_SUPPRESS_DAYS = 3650;
const DAY_MS = 86_400_000;

/** Records the suppression before the erasure starts, so a crash in the middle leaves the person refused. */
export async function recordSuppression(
  store: Store,
  subject: Subject,
  request: string,
  days: number,
  now = Date.now(),
): Promise<number> {
  const until = now + days * DAY_MS;
  await store.insert(
    SUPPRESSIONS_TABLE,
    [
      {
        subject_hash: subjectHash(subject),
        project: subject.project,
        request,
        until: new Date(until).toISOString(),
      },
    ],
    `${SUPPRESSIONS_TABLE}:${request}`,
  );
  return until;
}

export class SuppressionList {
  private hashes = new Set<string>();
  /** Erased user ids' hashes → the erasure's time (ISO, as `received_at`; the latest erasure of each). */
  private erased = new Map<string, string>();
  /** Erased users' visits (`sessionHash`) → the erasure's time: their anonymous events received before it. */
  private erasedSessions = new Map<string, string>();
  /** The latest erasure's time: an event received at or after it needs no marker check. */
  private latest = '';
  /** The erasures of the journal as last read (how many, the latest end), and how often that changed since. */
  private erasureMark: string | undefined;
  private erasureChanges = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly store: Store;
  private readonly logger: Logger | undefined;

  constructor(store: Store, logger?: Logger) {
    this.store = store;
    this.logger = logger;
  }

  get size(): number {
    return this.hashes.size;
  }

  /** Whether anything can be dropped at all. */
  get active(): boolean {
    return this.hashes.size > 0 || this.erased.size > 0;
  }

  /** Whether an event received at `receivedAt` (ISO) may be dropped: cheap enough to ask before parsing it. */
  mayDrop(receivedAt: string): boolean {
    return this.hashes.size > 0 || (this.erased.size > 0 && receivedAt < this.latest);
  }

  /**
   * Whether this event is to be dropped: its person is suppressed, or was erased after the event was received
   * (user ids only; a visitor id changes daily and is not listed).
   */
  has(row: Pick<EventRow, 'project' | 'user_id' | 'received_at'> & { session_id?: string }): boolean {
    if (!this.mayDrop(row.received_at)) return false;
    if (row.user_id === '') {
      // An anonymous event of an erased user's visit (the page views before login), as the erasure deleted them.
      if (!row.session_id || this.erasedSessions.size === 0) return false;
      const erasedAt = this.erasedSessions.get(sessionHash(row.project, row.session_id));
      return erasedAt !== undefined && row.received_at < erasedAt;
    }
    const hash = subjectHash({ project: row.project, type: 'user_id', id: row.user_id });
    if (this.hashes.has(hash)) return true;
    const erasedAt = this.erased.get(hash);
    return erasedAt !== undefined && row.received_at < erasedAt;
  }

  /**
   * Changes when an erasure of any person started or finished since the list was first read — in this process or
   * in another (split roles: the `api` process erases, the processors learn of it here, within REFRESH_MS). A
   * processor's visits in memory may hold what it erased (src/process/visits/visit-keeper.ts `generation`).
   */
  erasureGeneration(): number {
    return this.erasureChanges;
  }

  add(hash: string): void {
    this.hashes.add(hash);
  }

  /** An erasure of a user id at `at` (ms), with their visits' hashes: what was received before it stays out. */
  addErasure(hash: string, at: number, sessionHashes: readonly string[] = []): void {
    const iso = new Date(at).toISOString();
    if ((this.erased.get(hash) ?? '') < iso) this.erased.set(hash, iso);
    for (const s of sessionHashes)
      if ((this.erasedSessions.get(s) ?? '') < iso) this.erasedSessions.set(s, iso);
    if (this.latest < iso) this.latest = iso;
  }

  async refresh(): Promise<void> {
    const rows = await this.store.query<{ subject_hash: string }>(
      `SELECT DISTINCT subject_hash FROM ${SUPPRESSIONS_TABLE} WHERE until > now64(3)`,
    );
    // Done versions only hold the visits' hashes (a pending one holds the session ids themselves).
    const markers = await this.store.query<{ subject_hash: string; at: number | string; sessions: string[] }>(
      `SELECT subject_hash, toUnixTimestamp64Milli(max(requested_at)) AS at,
              groupUniqArrayArrayIf(sessions, status = 'done') AS sessions
       FROM ${JOURNAL_TABLE} WHERE kind = 'erase' AND subject_type = 'user_id' GROUP BY subject_hash`,
    );
    // A new id when an erasure starts, a later end when one finishes (the pending version's removal changes neither).
    const [erasures] = await this.store.query<{ n: string | number; last: string }>(
      `SELECT uniqExact(id) AS n, toString(max(finished_at)) AS last FROM ${JOURNAL_TABLE} WHERE kind = 'erase'`,
    );
    const mark = `${erasures?.n ?? 0}|${erasures?.last ?? ''}`;
    if (this.erasureMark !== undefined && mark !== this.erasureMark) this.erasureChanges++;
    this.erasureMark = mark;
    this.hashes = new Set(rows.map((r) => r.subject_hash));
    // Kept, not replaced: an erasure this process just began is in memory before its journal row is written.
    for (const m of markers) this.addErasure(m.subject_hash, Number(m.at), m.sessions);
  }

  /** Loads the list, then refreshes it every REFRESH_MS; a failed refresh keeps the list it had. */
  async start(): Promise<void> {
    await this.refresh().catch((err) =>
      this.logger?.warn({ err: (err as Error).message }, 'the suppression list could not be loaded yet'),
    );
    this.timer ??= setInterval(() => {
      this.refresh().catch((err) =>
        this.logger?.warn({ err: (err as Error).message }, 'the suppression list could not be refreshed'),
      );
    }, REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
