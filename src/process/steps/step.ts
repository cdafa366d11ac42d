import type { Envelope } from '../../collect/envelope.ts';
import type { EventRow } from '../event-row.ts';

/**
 * One named enrichment step (the put/drop steps of Plausible's ingestion): it fills fields of the row from the envelope.
 * Steps run in the order `pipeline.ts` lists them; the full enrichment issue adds geo, referrer, visitor, session.
 */
export interface Step {
  name: string;
  run(row: EventRow, envelope: Envelope): void;
}
