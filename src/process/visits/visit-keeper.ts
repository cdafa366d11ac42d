/**
 * Keeps `visits` (src/store/visits.ts) as the events are stored: for each visit a group of events touches, the
 * row written before is cancelled (`sign = -1`) and the visit with the new events is written with the next version.
 *
 * Which row was written before is held in memory for the visits seen recently. Memory is dropped when a batch fails
 * and before a re-delivered batch (whose rows may be stored already); a visit not held — evicted, seen by another
 * process before, or after such a drop — is resolved from the store: the
 * live row in `visits` is what gets cancelled, and the new row is folded from the visit's stored events other than
 * the group's own plus the group's events. That is right whatever part of an earlier attempt reached the store:
 * if the first attempt's visit rows landed, the new row equals the stored one and nothing is written.
 *
 * A visit the session tracker opened in this very conversion (a visitor's first event after a pause) has no
 * earlier row: it skips the lookup, which keeps the common case free of store reads.
 */
import { queryByKeys } from '../../store/chunked-lookup.ts';
import type { Store } from '../../store/store.ts';
import { VISIT_ATTRIBUTES, VISITS_TABLE } from '../../store/visits.ts';
import type { EventRow } from '../event-row.ts';
import { LruCache } from '../lru-cache.ts';
import {
  cancelOf,
  foldEvent,
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
}

interface Resolved {
  /** The live row, to cancel. */
  live?: VisitRow;
  /** The highest version stored for the visit (live or cancelled). */
  version: number;
  /** The visit folded from its stored events other than the group's. */
  base?: VisitState;
}

const chTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const EVENT_COLUMNS = `toString(event_id) AS event_id, project, tenant_id, type,
  toUnixTimestamp64Milli(timestamp) AS ms, user_id, session_id, toString(visitor_id) AS visitor_id, path, is_bot,
  ${VISIT_ATTRIBUTES.join(', ')}`;

const VISIT_COLUMNS = `project, tenant_id, session_id, sign, version, toString(visitor_id) AS visitor_id, user_id,
  toUnixTimestamp64Milli(started_at) AS started_ms, toUnixTimestamp64Milli(ended_at) AS ended_ms, pageviews, events,
  is_bot, entry_page, exit_page, ${VISIT_ATTRIBUTES.join(', ')}`;

function visitRowOf(r: Record<string, unknown>): VisitRow {
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

export class VisitKeeper {
  readonly #store: Store;
  #held: LruCache<string, VisitState>;
  readonly #maxVisits: number;
  readonly #openedNow: (sessionId: string) => boolean;

  constructor(store: Store, options: VisitKeeperOptions = {}) {
    this.#store = store;
    this.#maxVisits = options.maxVisits ?? 100_000;
    this.#held = new LruCache(this.#maxVisits);
    this.#openedNow = options.openedNow ?? (() => false);
  }

  /** Forgets every visit held: the next groups resolve theirs from the store (after a failed batch). */
  reset(): void {
    this.#held = new LruCache(this.#maxVisits);
  }

  /**
   * The `visits` rows for a group of events about to be stored (in the same insert order, after the events).
   * Nothing is remembered unless it returns: a failure leaves memory as it was.
   */
  async rowsFor(events: readonly EventRow[]): Promise<VisitRow[]> {
    const byVisit = new Map<string, EventRow[]>();
    for (const e of events) {
      if (e.session_id === '') continue;
      const key = visitKey(e.project, e.tenant_id, e.session_id);
      const list = byVisit.get(key);
      if (list) list.push(e);
      else byVisit.set(key, [e]);
    }
    if (byVisit.size === 0) return [];
    const known = new Map<string, VisitState | undefined>();
    const unknown: string[] = [];
    for (const [key, list] of byVisit) {
      const held = this.#held.get(key);
      if (held) known.set(key, held);
      else if (this.#openedNow(list[0].session_id)) known.set(key, undefined);
      else unknown.push(key);
    }
    const resolved = await this.#resolve(unknown, events);
    const rows: VisitRow[] = [];
    const updates: Array<[string, VisitState]> = [];
    for (const [key, list] of byVisit) {
      if (known.has(key)) {
        const held = known.get(key);
        const next = foldEvents(held, list);
        next.row.version = (held?.row.version ?? 0) + 1;
        if (held) rows.push(cancelOf(held.row));
        rows.push(next.row);
        updates.push([key, next]);
        continue;
      }
      const found = resolved.get(key) ?? { version: 0 };
      const next = foldEvents(found.base, list);
      if (found.live && sameVisit(found.live, next.row)) {
        // Stored by an earlier attempt of this group: nothing to write.
        next.row.version = found.live.version;
      } else {
        next.row.version = found.version + 1;
        if (found.live) rows.push(cancelOf(found.live));
        rows.push(next.row);
      }
      updates.push([key, next]);
    }
    for (const [key, state] of updates) this.#held.set(key, state);
    return rows;
  }

  async #resolve(keys: readonly string[], group: readonly EventRow[]): Promise<Map<string, Resolved>> {
    const resolved = new Map<string, Resolved>();
    if (keys.length === 0) return resolved;
    const groupIds = new Set(group.map((e) => e.event_id));
    // Looked up by session id per project (a visit's key also holds its tenant: rows of other tenants' visits of the
    // same session id are read too, and matched to nothing).
    const byProject = new Map<string, Set<string>>();
    for (const key of keys) {
      const [project, , session] = key.split('\u0000');
      const set = byProject.get(project) ?? new Set();
      set.add(session);
      byProject.set(project, set);
    }
    for (const key of keys) resolved.set(key, { version: 0 });
    for (const [project, sessionSet] of byProject) {
      const sessions = [...sessionSet];
      const stored = await queryByKeys<Record<string, unknown>>(
        this.#store,
        `SELECT ${VISIT_COLUMNS} FROM ${VISITS_TABLE}
         WHERE project = {project:String} AND session_id IN {sessions:Array(String)}
         ORDER BY version DESC, sign DESC LIMIT 1 BY tenant_id, session_id`,
        { project },
        'sessions',
        sessions,
      );
      // A visit without a live row has no stored events but the group's own (its earlier groups' rows landed with
      // their batch, or they are held in memory from this batch): only visits with a live row read their events,
      // which are no older than its start.
      let from = Number.POSITIVE_INFINITY;
      const withRow: string[] = [];
      for (const r of stored) {
        const row = visitRowOf(r);
        const key = visitKey(project, row.tenant_id, row.session_id);
        if (!resolved.has(key)) continue;
        resolved.set(key, { live: row.sign === 1 ? row : undefined, version: row.version });
        if (row.sign !== 1) continue;
        from = Math.min(from, Date.parse(row.started_at));
        withRow.push(row.session_id);
      }
      if (withRow.length === 0) continue;
      const events = await queryByKeys<Record<string, unknown>>(
        this.#store,
        `SELECT ${EVENT_COLUMNS} FROM events
         WHERE project = {project:String} AND timestamp >= {from:DateTime64(3, 'UTC')}
           AND session_id IN {sessions:Array(String)}`,
        { project, from: chTime(from) },
        'sessions',
        [...new Set(withRow)],
      );
      for (const r of events) {
        if (groupIds.has(String(r.event_id))) continue;
        const event = eventOf(r);
        const entry = resolved.get(visitKey(project, event.tenant_id, event.session_id));
        if (entry?.live) entry.base = foldEvent(entry.base, event);
      }
    }
    return resolved;
  }
}
