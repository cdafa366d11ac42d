/** A destination turns a batch of events into one HTTP request in its service's wire format. */
import type { DestinationSpec } from './forward-config.ts';
import type { ForwardEvent } from './forward-event.ts';
import { formatMixpanel } from './mixpanel.destination.ts';
import type { Formatter, OutgoingRequest } from './outgoing-request.ts';
import { formatSegment } from './segment.destination.ts';
import { formatWebhook } from './webhook.destination.ts';

const FORMATTERS: Record<DestinationSpec['type'], Formatter> = {
  webhook: formatWebhook,
  mixpanel: formatMixpanel,
  segment: formatSegment,
};

export function formatBatch(events: readonly ForwardEvent[], spec: DestinationSpec): OutgoingRequest {
  return FORMATTERS[spec.type](events, spec);
}
