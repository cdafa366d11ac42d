/**
 * Folds events into a visit row, in the processor, the way `visitsFromEventsSql` (src/store/visits.ts) folds stored
 * events: the first event (by time, then event id) gives the visitor and the attributes, the first and last
 * pageviews give the entry and exit pages. The order the events come in does not matter, so a visit folded from
 * a batch on top of its earlier state equals the visit folded from all its events at once.
 */

import { assertPlainName } from '../../store/plain-name.ts';
import { VISIT_LIST_MAX } from '../../store/visit-contents.ts';
import { VISIT_ATTRIBUTES } from '../../store/visits.ts';
import type { EventRow } from '../event-row.ts';

type Attribute = (typeof VISIT_ATTRIBUTES)[number];

/** A `visits` row as the processor inserts it. */
export type VisitRow = {
  project: string;
  tenant_id: string;
  session_id: string;
  sign: 1 | -1;
  version: number;
  /** UInt64 as a decimal string. */
  visitor_id: string;
  user_id: string;
  started_at: string;
  ended_at: string;
  pageviews: number;
  events: number;
  is_bot: boolean;
  entry_page: string;
  exit_page: string;
  /** What the visit holds (src/store/visit-contents.ts): sorted by the bytes of the text, counts beside. */
  pages: string[];
  page_views: number[];
  event_types: string[];
  event_counts: number[];
  /** Its other events by (path, type), sorted by path then type, with their counts. */
  other_paths: string[];
  other_types: string[];
  other_counts: number[];
  /** The goals it reached, as of `goal_epoch` (src/query/visit-goal-bits.ts): set as the rows are written. */
  goal_mask?: string;
  goal_epoch?: number;
} & Record<Attribute, string>;

/**
 * (time, 1 when the event has no referrer, event id): the order both folds use. Events of one request often share
 * their millisecond (a batch without timestamps is stamped on arrival); among those, the one that came from
 * elsewhere (a referrer) starts the visit, and internal navigation follows — the event id alone would pick at random.
 *
 * The time is the event's own text, compared as text: the pipeline writes every time as `toISOString` does, 24
 * characters of years 1900–2299 (src/process/event-row.ts `isStorableTime`), whose text sorts as the time does — and
 * the visit's start and end are then the first and last events' texts. Parsing and formatting dates was most of the
 * fold's time (a third of what keeping visits cost the processor, bench/processor.ts).
 */
type At = readonly [string, number, string];

/** A visit as the processor holds it: the row it last wrote, and where its first/last parts came from. */
export interface VisitState {
  row: VisitRow;
  first: At;
  last: At;
  entry?: At;
  exit?: At;
  user?: At;
}

const before = (a: At, b: At) =>
  a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])));

/** A visit is one tenant's (src/store/visits.ts). */
export function visitKey(project: string, tenant: string, sessionId: string): string {
  return `${project}\u0000${tenant}\u0000${sessionId}`;
}

/**
 * -1, 0 or 1 as the UTF-8 bytes of `a` and `b` compare (how ClickHouse sorts text): UTF-16 units compare the same
 * way except a surrogate (U+D800–DFFF, half of a character above U+FFFF) against U+E000–FFFF.
 */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Where `key` is in the sorted `keys`, or `-(where it would go) - 1`. With `seconds`: the keys are pairs sorted by
 * `keys` then `seconds` (beside each other, as the store sorts tuples), and `second` is the pair's second half.
 */
function find(keys: readonly string[], key: string, seconds?: readonly string[], second = ''): number {
  for (let i = 0; i < keys.length; i++) {
    const c = compareBytes(keys[i], key) || (seconds ? compareBytes(seconds[i], second) : 0);
    if (c === 0) return i;
    if (c > 0) return -i - 1;
  }
  return -keys.length - 1;
}

/**
 * `key` in the sorted `keys` (one more of it in `counts` beside, when given), which keep the VISIT_LIST_MAX smallest:
 * a key past a full list's last is left out, one before it pushes the last out. The smallest are the same whatever
 * order the events come in, as the store's fold keeps them. With `seconds`, the keys are pairs (`find`).
 */
function add(keys: string[], key: string, counts?: number[], seconds?: string[], second = ''): void {
  const i = find(keys, key, seconds, second);
  if (i >= 0) {
    if (counts) counts[i] += 1;
    return;
  }
  const at = -i - 1;
  if (at >= VISIT_LIST_MAX) return;
  keys.splice(at, 0, key);
  seconds?.splice(at, 0, second);
  counts?.splice(at, 0, 1);
  if (keys.length > VISIT_LIST_MAX) {
    keys.pop();
    seconds?.pop();
    counts?.pop();
  }
}

/** The event in the visit's contents (src/store/visit-contents.ts), in place. */
function addContents(row: VisitRow, event: EventRow): void {
  add(row.event_types, event.type, row.event_counts);
  if (event.type === 'pageview') add(row.pages, event.path, row.page_views);
  else add(row.other_paths, event.path, row.other_counts, row.other_types, event.type);
}

/** A copy of the row whose lists can be changed without touching the original's. */
function copyRow(row: VisitRow): VisitRow {
  return {
    ...row,
    pages: [...row.pages],
    page_views: [...row.page_views],
    event_types: [...row.event_types],
    event_counts: [...row.event_counts],
    other_paths: [...row.other_paths],
    other_types: [...row.other_types],
    other_counts: [...row.other_counts],
  };
}

/**
 * A visit row of one event (version 0: the caller numbers what it writes), as one object literal made once from the
 * attribute names: setting the attributes one by one by name walked each new row through a chain of shapes (the
 * processor makes a row per new visit). The names are our own columns', checked before they become code.
 */
const newRow = ((): ((event: EventRow) => VisitRow) => {
  for (const c of VISIT_ATTRIBUTES) assertPlainName(c);
  return new Function(
    'event',
    `const pageview = event.type === 'pageview';
    return {
      project: event.project,
      tenant_id: event.tenant_id,
      session_id: event.session_id,
      sign: 1,
      version: 0,
      visitor_id: event.visitor_id,
      user_id: event.user_id,
      started_at: '',
      ended_at: '',
      pageviews: pageview ? 1 : 0,
      events: 1,
      is_bot: event.is_bot,
      entry_page: pageview ? event.path : '',
      exit_page: pageview ? event.path : '',
      pages: [],
      page_views: [],
      event_types: [],
      event_counts: [],
      other_paths: [],
      other_types: [],
      other_counts: [],
      ${VISIT_ATTRIBUTES.map((c) => `${c}: event.${c},`).join('\n      ')}
    };`,
  ) as (event: EventRow) => VisitRow;
})();

/** A new visit of one event (its start and end times are set by foldEvents once the batch's events are in). */
function start(event: EventRow, at: At): VisitState {
  const row = newRow(event);
  addContents(row, event);
  return {
    row,
    first: at,
    last: at,
    entry: event.type === 'pageview' ? at : undefined,
    exit: event.type === 'pageview' ? at : undefined,
    user: event.user_id !== '' ? at : undefined,
  };
}

/** `state` with one more event (a new state: the one given is left as it was). */
export function foldEvent(state: VisitState | undefined, event: EventRow): VisitState {
  return foldEvents(state, [event]);
}

const atOf = (event: EventRow): At => [event.timestamp, event.referrer === '' ? 1 : 0, event.event_id];

/** `state` with `events` folded in: one copy of the state, then each event in place. */
export function foldEvents(state: VisitState | undefined, events: readonly EventRow[]): VisitState {
  let next = state && { ...state, row: copyRow(state.row) };
  for (const event of events) {
    if (next) foldInto(next, event, atOf(event));
    else next = start(event, atOf(event));
  }
  if (!next) throw new Error('a visit needs at least one event');
  next.row.started_at = next.first[0];
  next.row.ended_at = next.last[0];
  return next;
}

/**
 * One more event into a state its caller owns — one `foldEvents` made for it, no one else's — in place: the
 * processor's hot path (a batch folds each of its events into its own copy of the visit, copied once).
 */
export function foldEventInPlace(state: VisitState, event: EventRow): void {
  foldInto(state, event, atOf(event));
  state.row.started_at = state.first[0];
  state.row.ended_at = state.last[0];
}

/** One event into `next`, in place (the caller sets its start and end times from `first` and `last`). */
function foldInto(next: VisitState, event: EventRow, at: At): void {
  const state = next;
  const row = next.row;
  row.events += 1;
  addContents(row, event);
  if (event.is_bot) row.is_bot = true;
  if (before(at, state.first)) {
    next.first = at;
    row.visitor_id = event.visitor_id;
    for (const c of VISIT_ATTRIBUTES) row[c] = event[c];
  }
  if (before(state.last, at)) next.last = at;
  if (event.type === 'pageview') {
    row.pageviews += 1;
    if (!state.entry || before(at, state.entry)) {
      next.entry = at;
      row.entry_page = event.path;
    }
    if (!state.exit || before(state.exit, at)) {
      next.exit = at;
      row.exit_page = event.path;
    }
  }
  if (event.user_id !== '' && (!state.user || before(at, state.user))) {
    next.user = at;
    row.user_id = event.user_id;
  }
}

/** The row that cancels `row` in every sum weighted by sign (and in the engine's merges). */
export function cancelOf(row: VisitRow): VisitRow {
  return { ...row, sign: -1 };
}

/** Whether two rows describe the same visit in every column a query reads (sign and version aside). */
export function sameVisit(a: VisitRow, b: VisitRow): boolean {
  for (const key of Object.keys(a) as Array<keyof VisitRow>) {
    if (key === 'sign' || key === 'version') continue;
    const x = a[key];
    const y = b[key];
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
    } else if (x !== y) return false;
  }
  return true;
}
