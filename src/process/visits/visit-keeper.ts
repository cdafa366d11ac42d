/**
 * Keeps `visits` (src/store/visits.ts) as the events are stored: for each visit a batch touches, the row written
 * before is cancelled (`sign = -1`) and the visit with the new events is written with the next version — once per
 * log batch, so a visit touched by several groups of a batch costs one pair of rows and the batch one insert into
 * `visits`: beside its last group's events when every visit it touches is held (or opened in it), else after all
 * its events are stored (src/process/processor.ts).
 *
 * Which row was written before is held in memory for the visits seen recently. Memory is dropped when a batch fails
 * and before a re-delivered batch (whose rows may be stored already); a visit not held — evicted, seen by another
 * process before, or after such a drop — is resolved from the store once the batch's events are stored: the live
 * row in `visits` is what gets cancelled, and the new row is folded from all the visit's stored events, which then
 * hold the batch's own exactly once (the events' inserts are deduplicated by token). That is right whatever part of
 * an earlier attempt reached the store: if the earlier attempt's visit rows landed, the new row equals the stored one
 * and nothing is written.
 *
 * A visit the session tracker opened in this very conversion (a visitor's first event after a pause) has no
 * earlier row: it skips the lookup, which keeps the common case free of store reads.
 */

import type { GoalSpec } from '../../query/goal-spec.ts';
import { NO_EPOCH, visitGoalBits } from '../../query/visit-goal-bits.ts';
import { queryByKeys } from '../../store/chunked-lookup.ts';
import { toClickHouseTime } from '../../store/clickhouse-time.ts';
import type { Store } from '../../store/store.ts';
import { VISIT_CONTENT_COLUMNS } from '../../store/visit-contents.ts';
import { VISIT_ATTRIBUTES, VISITS_TABLE } from '../../store/visits.ts';
import type { EventRow } from '../event-row.ts';
import { LruCache } from '../lru-cache.ts';
import {
  cancelOf,
  foldEventInPlace,
  foldEvents,
  sameVisit,
  type VisitRow,
  type VisitState,
  visitKey,
} from './visit-fold.ts';

export interface VisitKeeperOptions {
  /** Visits held in memory (each a row of ~40 strings). */
  maxVisits?: number;
  /** Whether the session tracker opened this session id in the conversion now running (consumes the mark). */
  openedNow?: (sessionId: string) => boolean;
  /**
   * Changes when an erasure rewrote the store (src/privacy/write-gate.ts `generation`; with split roles the
   * suppression list's `erasureGeneration`, src/privacy/suppressions.ts): the visits held in memory
   * may fold erased events, so they are dropped and read from the store again.
   */
  generation?: () => number;
  /** The project's goals, which each row written is stamped with (src/query/visit-goal-bits.ts); none: no goals. */
  goalsOf?: (project: string) => readonly GoalSpec[];
}

interface Resolved {
  /** The live row, to cancel. */
  live?: VisitRow;
  /** The highest version stored for the visit (live or cancelled). */
  version: number;
  /** The visit folded from all its stored events (the batch's included), when it has a live row. */
  stored?: VisitState;
}

const EVENT_COLUMNS = `toString(event_id) AS event_id, project, tenant_id, type,
  toUnixTimestamp64Milli(timestamp) AS ms, user_id, session_id, toString(visitor_id) AS visitor_id, path, is_bot,
  ${VISIT_ATTRIBUTES.join(', ')}`;

const VISIT_COLUMNS = `project, tenant_id, session_id, sign, version, toString(visitor_id) AS visitor_id, user_id,
  toUnixTimestamp64Milli(started_at) AS started_ms, toUnixTimestamp64Milli(ended_at) AS ended_ms, pageviews, events,
  is_bot, entry_page, exit_page, ${VISIT_CONTENT_COLUMNS.join(', ')}, ${VISIT_ATTRIBUTES.join(', ')}`;

const texts = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
const numbers = (v: unknown) => (Array.isArray(v) ? v.map(Number) : []);
/**
 * `list` as long as `length`, `fill` past its end: a row a processor from before migration 033 wrote during an
 * upgrade has other paths without their types and counts (the fold indexes the three together).
 */
const aligned = <T>(list: T[], length: number, fill: T): T[] =>
  list.length === length ? list : Array.from({ length }, (_, i) => list[i] ?? fill);

function visitRowOf(r: Record<string, unknown>): VisitRow {
  const otherPaths = texts(r.other_paths);
  const row = {
    project: String(r.project),
    tenant_id: String(r.tenant_id),
    session_id: String(r.session_id),
    sign: Number(r.sign) === -1 ? -1 : 1,
    version: Number(r.version),
    visitor_id: String(r.visitor_id),
    user_id: String(r.user_id),
    started_at: new Date(Number(r.started_ms)).toISOString(),
    ended_at: new Date(Number(r.ended_ms)).toISOString(),
    pageviews: Number(r.pageviews),
    events: Number(r.events),
    is_bot: r.is_bot === true || Number(r.is_bot) === 1,
    entry_page: String(r.entry_page),
    exit_page: String(r.exit_page),
    pages: texts(r.pages),
    page_views: numbers(r.page_views),
    event_types: texts(r.event_types),
    event_counts: numbers(r.event_counts),
    other_paths: otherPaths,
    other_types: aligned(texts(r.other_types), otherPaths.length, ''),
    other_counts: aligned(numbers(r.other_counts), otherPaths.length, 1),
  } as VisitRow;
  for (const c of VISIT_ATTRIBUTES) row[c] = String(r[c]);
  return row;
}

function eventOf(r: Record<string, unknown>): EventRow {
  const event = {
    event_id: String(r.event_id),
    project: String(r.project),
    tenant_id: String(r.tenant_id),
    type: String(r.type),
    timestamp: new Date(Number(r.ms)).toISOString(),
    user_id: String(r.user_id),
    session_id: String(r.session_id),
    visitor_id: String(r.visitor_id),
    path: String(r.path),
    is_bot: r.is_bot === true || Number(r.is_bot) === 1,
  } as EventRow;
  for (const c of VISIT_ATTRIBUTES) event[c] = String(r[c]);
  return event;
}

/** A visit the batch touches, until the batch's rows are made. */
interface Pending {
  /** `visitKey` of the visit. */
  key: string;
  /** What memory held before the batch (its row is cancelled); undefined for a visit opened now or unresolved. */
  held?: VisitState;
  /** The held state, or nothing, with the batch's events folded in. */
  next: VisitState;
  /** Neither held nor opened now: the store tells what was written before. */
  unresolved: boolean;
}

export class VisitKeeper {
  readonly #store: Store;
  #held: LruCache<string, VisitState>;
  /**
   * The batch's visits by session id: looking each event up by its own id, not by a key made of project, tenant and
   * id, spares a string per event (the keeper's top cost, bench/processor.ts). A second visit of the same id (another
   * project's or tenant's) is in #pendingOthers by its `visitKey`.
   */
  #pending = new Map<string, Pending>();
  #pendingOthers = new Map<string, Pending>();
  readonly #maxVisits: number;
  readonly #openedNow: (sessionId: string) => boolean;
  readonly #generation: () => number;
  readonly #goalsOf: (project: string) => readonly GoalSpec[];
  /** The generation the visits held were read or written in. */
  #heldIn: number;

  constructor(store: Store, options: VisitKeeperOptions = {}) {
    this.#store = store;
    this.#maxVisits = options.maxVisits ?? 100_000;
    this.#held = new LruCache(this.#maxVisits);
    this.#openedNow = options.openedNow ?? (() => false);
    this.#generation = options.generation ?? (() => 0);
    this.#goalsOf = options.goalsOf ?? (() => []);
    this.#heldIn = this.#generation();
  }

  /** Forgets every visit held and the batch's so far: the next batch resolves its visits from the store. */
  reset(): void {
    this.#held = new LruCache(this.#maxVisits);
    this.#pending = new Map();
    this.#pendingOthers = new Map();
  }

  /** Every visit the batch touches. */
  *#pendingVisits(): Generator<Pending> {
    yield* this.#pending.values();
    yield* this.#pendingOthers.values();
  }

  /** A group of the batch's events, about to be stored: folded into the batch's visits (no store read). */
  add(events: readonly EventRow[]): void {
    const generation = this.#generation();
    if (generation !== this.#heldIn) {
      // An erasure ran since: what is held may fold erased events. A batch runs whole between erasures (the gate's
      // guard), so nothing of this batch is pending yet.
      this.reset();
      this.#heldIn = generation;
    }
    for (const e of events) {
      if (e.session_id === '') continue;
      const first = this.#pending.get(e.session_id);
      const other =
        first && (first.next.row.project !== e.project || first.next.row.tenant_id !== e.tenant_id);
      const pending = other ? this.#pendingOthers.get(visitKey(e.project, e.tenant_id, e.session_id)) : first;
      // The batch's own copy of the visit, made by its first event: the others fold into it in place.
      if (pending) {
        foldEventInPlace(pending.next, e);
        continue;
      }
      const key = visitKey(e.project, e.tenant_id, e.session_id);
      const held = this.#held.get(key);
      const unresolved = !held && !this.#openedNow(e.session_id);
      const entry = { key, held, next: foldEvents(held, [e]), unresolved };
      if (first) this.#pendingOthers.set(key, entry);
      else this.#pending.set(e.session_id, entry);
    }
  }

  /**
   * Whether the batch's rows read the store: a visit it touches is neither held nor opened in it. Then `rows` waits
   * for every event given to `add` to be stored; otherwise the rows are the folds held, and may be stored beside the
   * batch's last events (a row stored before its events would be folded again from the store on a retry, as below).
   */
  readsStore(): boolean {
    for (const entry of this.#pendingVisits()) if (entry.unresolved) return true;
    return false;
  }

  /**
   * The `visits` rows of the batch's visits, to insert once every event given to `add` is stored (visits of
   * unresolved visits are folded from the store). Remembered at once: should their insert fail, `reset` follows.
   */
  async rows(): Promise<VisitRow[]> {
    const pending = [...this.#pendingVisits()];
    this.#pending = new Map();
    this.#pendingOthers = new Map();
    const resolved = await this.#resolve(new Map(pending.filter((p) => p.unresolved).map((p) => [p.key, p])));
    const rows: VisitRow[] = [];
    for (const entry of pending) {
      const { key, next } = entry;
      if (!entry.unresolved) {
        next.row.version = (entry.held?.row.version ?? 0) + 1;
        if (entry.held) rows.push(cancelOf(entry.held.row));
        rows.push(next.row);
        this.#held.set(key, next);
        continue;
      }
      const found = resolved.get(key) ?? { version: 0 };
      const full = found.stored ?? next;
      if (found.live && sameVisit(found.live, full.row)) {
        // Stored by an earlier attempt of this batch: nothing to write.
        full.row.version = found.live.version;
      } else {
        full.row.version = found.version + 1;
        if (found.live) rows.push(cancelOf(found.live));
        rows.push(full.row);
      }
      this.#held.set(key, full);
    }
    this.#stampGoals(rows);
    return rows;
  }

  /**
   * Each row's goals as of the project's list now: a cancelling row too (its bits are never counted — conversions
   * read rows of sign 1 — but a row of another epoch would keep a range's queries on the lists).
   */
  #stampGoals(rows: VisitRow[]): void {
    for (const row of rows) {
      const bits = visitGoalBits(this.#goalsOf(row.project));
      row.goal_epoch = bits?.epoch ?? NO_EPOCH;
      row.goal_mask = bits ? String(bits.maskOf(row.pages, row.event_types)) : '0';
    }
  }

  /** What the store holds of the unresolved visits, by `visitKey`. */
  async #resolve(pending: ReadonlyMap<string, Pending>): Promise<Map<string, Resolved>> {
    const resolved = new Map<string, Resolved>();
    // Looked up by session id per project (a visit's key also holds its tenant: rows of other tenants' visits of the
    // same session id are read too, and matched to nothing).
    const byProject = new Map<string, Set<string>>();
    for (const [key, entry] of pending) {
      if (!entry.unresolved) continue;
      resolved.set(key, { version: 0 });
      const set = byProject.get(entry.next.row.project) ?? new Set();
      set.add(entry.next.row.session_id);
      byProject.set(entry.next.row.project, set);
    }
    for (const [project, sessionSet] of byProject) {
      const stored = await queryByKeys<Record<string, unknown>>(
        this.#store,
        `SELECT ${VISIT_COLUMNS} FROM ${VISITS_TABLE}
         WHERE project = {project:String} AND session_id IN {sessions:Array(String)}
         ORDER BY version DESC, sign DESC LIMIT 1 BY tenant_id, session_id`,
        { project },
        'sessions',
        [...sessionSet],
      );
      // A visit without a live row has no stored events but the batch's own (an earlier batch's rows landed with
      // it): its row is the batch's fold. A visit with a live row is folded from all its stored events, which are no
      // older than the earlier of its start and the batch's first event.
      let from = Number.POSITIVE_INFINITY;
      const withRow: string[] = [];
      for (const r of stored) {
        const row = visitRowOf(r);
        const key = visitKey(project, row.tenant_id, row.session_id);
        const entry = pending.get(key);
        if (!entry?.unresolved) continue;
        resolved.set(key, { live: row.sign === 1 ? row : undefined, version: row.version });
        if (row.sign !== 1) continue;
        from = Math.min(from, Date.parse(row.started_at), Date.parse(entry.next.first[0]));
        withRow.push(row.session_id);
      }
      if (withRow.length === 0) continue;
      const events = await queryByKeys<Record<string, unknown>>(
        this.#store,
        `SELECT ${EVENT_COLUMNS} FROM events
         WHERE project = {project:String} AND timestamp >= {from:DateTime64(3, 'UTC')}
           AND session_id IN {sessions:Array(String)}`,
        { project, from: toClickHouseTime(from) },
        'sessions',
        [...new Set(withRow)],
      );
      const byVisit = new Map<string, EventRow[]>();
      for (const r of events) {
        const event = eventOf(r);
        const key = visitKey(project, event.tenant_id, event.session_id);
        if (!resolved.get(key)?.live) continue;
        const list = byVisit.get(key);
        if (list) list.push(event);
        else byVisit.set(key, [event]);
      }
      for (const [key, list] of byVisit) {
        const entry = resolved.get(key);
        if (entry) entry.stored = foldEvents(undefined, list);
      }
    }
    return resolved;
  }
}
