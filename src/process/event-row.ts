import {
  EVENT_COLUMNS,
  type EventColumnName,
  STORED_COLUMNS,
  type StoredColumn,
} from '../store/event-columns.ts';

/**
 * The canonical `events` row (its columns: src/store/event-columns.ts); every protocol adapter produces this shape.
 * `Bool` columns are booleans; every other column is text (times ISO 8601 UTC, `visitor_id` a decimal string).
 */
export type EventRow = {
  [K in StoredColumn]: (typeof EVENT_COLUMNS)[K]['type'] extends 'Bool' ? boolean : string;
};

const BLANK = Object.fromEntries(
  STORED_COLUMNS.map((name) => {
    const c: { type: string; blank?: string } = EVENT_COLUMNS[name as EventColumnName];
    return [name, c.type === 'Bool' ? false : (c.blank ?? '')];
  }),
) as EventRow;

/** A row no adapter or step has filled yet: every column blank. */
export function blankRow(): EventRow {
  return { ...BLANK };
}

export interface DeadLetterRow {
  received_at: string;
  project: string;
  source: string;
  reason: string;
  envelope_id: string;
  payload: string;
}

/** Event names clients use for a page view; stored as `pageview` so every protocol counts the same. */
const PAGEVIEW_ALIASES = new Set(['pageview', 'page_view', 'pageView', 'page', '$pageview']);

export function canonicalType(type: string): string {
  return PAGEVIEW_ALIASES.has(type) ? 'pageview' : type;
}

/**
 * Whether an ISO time (as `toISOString` writes it) fits the store's DateTime64 columns (years 1900–2299). Years
 * outside 0–9999 are written with six digits and a sign, which the store cannot read.
 */
export function isStorableTime(iso: string): boolean {
  if (iso.length !== 24) return false;
  const year = Number(iso.slice(0, 4));
  return year >= 1900 && year <= 2299;
}
