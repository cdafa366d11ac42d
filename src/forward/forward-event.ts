/**
 * The event as destinations see it: the canonical row (what `events` stores) with its properties as an object,
 * without the client IP, and with the idempotency key — the event id, which is the same on every redelivery.
 */
import type { EventRow } from '../process/event-row.ts';
import { FORWARDED_COLUMNS, type ForwardedColumn } from '../store/event-columns.ts';

/** The stored row's forwarded fields (src/store/event-columns.ts: not the IP, nor the processor's bookkeeping). */
export type ForwardEvent = Pick<EventRow, Exclude<ForwardedColumn, 'props'>> & {
  idempotency_key: string;
  props: Record<string, unknown>;
};

function parseProps(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function toForwardEvent(row: EventRow): ForwardEvent {
  const event: Record<string, unknown> = { event_id: row.event_id, idempotency_key: row.event_id };
  for (const column of FORWARDED_COLUMNS) event[column] = row[column];
  event.props = parseProps(row.props);
  return event as ForwardEvent;
}
