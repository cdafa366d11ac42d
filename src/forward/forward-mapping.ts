/**
 * Log records → forwardable events, with the processor's adapters and the enrichment steps that depend only on the
 * event itself (URL, referrer, user agent, bots, geo, visitor hash). Sessions are left out: the processor's
 * SessionTracker is state that a second reader would disturb, so a forwarded event carries only a client-sent
 * session id. Event ids come from the envelope, exactly as stored, so a redelivered batch maps to the same ids.
 */
import type { LogRecord } from '../log/event-log.ts';
import { DailySalts } from '../process/enrich/daily-salts.ts';
import type { GeoLookup } from '../process/enrich/geo-lookup.ts';
import { createConverter, type EventDrop } from '../process/pipeline.ts';
import { createBotStep } from '../process/steps/put-bot.step.ts';
import { putGeo } from '../process/steps/put-geo.step.ts';
import { putReferrer } from '../process/steps/put-referrer.step.ts';
import { putUrl } from '../process/steps/put-url.step.ts';
import { putUserAgent } from '../process/steps/put-user-agent.step.ts';
import { putVisitor } from '../process/steps/put-visitor.step.ts';
import { type ForwardEvent, toForwardEvent } from './forward-event.ts';

export interface MappingOptions {
  dataDir: string;
  trailingSlash: 'strip' | 'keep';
  hashRouting: boolean;
  stripQueryParams: readonly string[];
  botUserAgents: readonly string[];
  geo: GeoLookup;
  /** Events not to forward: a suppressed person's (src/privacy/suppressions.ts), as the processor drops them. */
  drop?: EventDrop;
}

export type ForwardMapper = (records: readonly LogRecord[]) => Promise<ForwardEvent[]>;

export function createForwardMapper(options: MappingOptions): ForwardMapper {
  const convert = createConverter(
    [
      putUrl({ trailingSlash: options.trailingSlash, hashRouting: options.hashRouting }),
      putReferrer({ stripParams: options.stripQueryParams }),
      putUserAgent,
      createBotStep(options.botUserAgents),
      putGeo(options.geo, false),
      putVisitor(new DailySalts(options.dataDir)),
    ],
    options.drop,
  );
  // Records that cannot become events are the processor's dead letters; there is nothing here to forward.
  return async (records) => (await convert(records)).events.map(toForwardEvent);
}
