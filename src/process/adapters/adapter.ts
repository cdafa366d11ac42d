import type { Envelope } from '../../collect/envelope.ts';
import type { EventRow } from '../event-row.ts';
import type { EventContext } from '../steps/step.ts';

/** A problem found in one event that the collector's schema check could not see. */
export class UnusableEvent extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Maps one event of a protocol's body into the canonical row (fields it knows; enrichment steps do the rest). */
export type ProtocolAdapter = (
  event: unknown,
  envelope: Envelope,
  row: EventRow,
  context: EventContext,
) => void;

export function text(value: unknown, max = 4096): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : String(value);
  return s.length > max ? s.slice(0, max) : s;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
