import type { Envelope } from '../../contract/envelope.ts';
import type { EventRow } from '../event-row.ts';

/** What an adapter learned about one event that has no column of its own (read by the steps after it). */
export interface EventContext {
  /** The full page URL when the client sent one (query and fragment included; never stored as is). */
  pageUrl: string;
  /** Client IP and user agent: the envelope's, unless the payload names the end user's (Segment's context.ip). */
  ip: string;
  ua: string;
  /** A client-side anonymous id (Segment's anonymousId): the visitor when there is no user id. */
  anonymousId: string;
}

/**
 * One named enrichment step (the put/drop steps of Plausible's ingestion): it fills fields of the row.
 * Steps run in the order `pipeline.ts` lists them.
 */
export interface Step {
  name: string;
  run(row: EventRow, envelope: Envelope, context: EventContext): void;
}
