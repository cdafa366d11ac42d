import { createHash } from 'node:crypto';
import type { Envelope } from '../../contract/envelope.ts';
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

/** A JSON value as an object to read fields from; anything else reads as empty. */
export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function text(value: unknown, max = 4096): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : String(value);
  return s.length > max ? s.slice(0, max) : s;
}

/** A stable UUID (version 5 layout) for a client-side id that is not a UUID itself (messageId, eid). */
export function uuidFromKey(namespace: string, key: string): string {
  const h = createHash('sha256').update(`${namespace}:${key}`).digest('hex');
  const variant = ((Number.parseInt(h[16], 16) & 3) | 8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Second → its ISO text up to the seconds; most events of a batch share a few seconds. */
const secondsText: Array<{ second: number; text: string } | undefined> = new Array(1024);

/** `new Date(ms).toISOString()`, with the date part remembered per second (it was a top cost of processing). */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  const millis = ms - second * 1000;
  if (!Number.isInteger(millis) || second < 0 || second > 253_402_300_799) return new Date(ms).toISOString();
  const slot = second & 1023;
  let hit = secondsText[slot];
  if (hit?.second !== second) {
    hit = { second, text: new Date(second * 1000).toISOString().slice(0, 20) };
    secondsText[slot] = hit;
  }
  return `${hit.text}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
