/** What every destination's formatter produces, and the pieces they share. */
import { createHash } from 'node:crypto';
import type { DestinationSpec } from './forward-config.ts';
import type { ForwardEvent } from './forward-event.ts';

export interface OutgoingRequest {
  body: string;
  headers: Record<string, string>;
}

export type Formatter = (events: readonly ForwardEvent[], spec: DestinationSpec) => OutgoingRequest;

/** The same events give the same key, so a receiver can drop a batch it already took whole. */
export function batchKey(events: readonly ForwardEvent[]): string {
  const h = createHash('sha256');
  for (const e of events) h.update(e.event_id).update('\n');
  return h.digest('hex').slice(0, 32);
}

export function basicAuth(user: string): string {
  return `Basic ${Buffer.from(`${user}:`).toString('base64')}`;
}

export const USER_AGENT = 'sightline-forward/1';
