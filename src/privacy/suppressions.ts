/**
 * The suppression list: people erased with a grace period (`--suppress-days N`, `?suppress_days=N`), whose events
 * the processor drops — never stores, only counts — until the period ends. A client that keeps sending (an app
 * still logged in, a retried batch) would otherwise bring the person back right after the erasure.
 *
 * Only hashes are kept (`subjectHash`: SHA-256 of project, type and id). The processor holds them in a Set, loaded
 * at start and refreshed every few seconds from `privacy_suppressions`, so the check costs one hash per event with
 * a user id, and nothing while the list is empty. An erasure in the same process adds its hash at once.
 */
import type { Logger } from '../observe/logger.ts';
import type { EventRow } from '../process/event-row.ts';
import type { Store } from '../store/store.ts';
import { type Subject, subjectHash } from './subject.ts';

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

  /** Whether this event's person is suppressed (by user id; a visitor id changes daily and is not listed). */
  has(row: Pick<EventRow, 'project' | 'user_id'>): boolean {
    if (this.hashes.size === 0 || row.user_id === '') return false;
    return this.hashes.has(subjectHash({ project: row.project, type: 'user_id', id: row.user_id }));
  }

  add(hash: string): void {
    this.hashes.add(hash);
  }

  async refresh(): Promise<void> {
    const rows = await this.store.query<{ subject_hash: string }>(
      `SELECT DISTINCT subject_hash FROM ${SUPPRESSIONS_TABLE} WHERE until > now64(3)`,
    );
    this.hashes = new Set(rows.map((r) => r.subject_hash));
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
