import { parseEventTime } from '../../contract/event-validator.ts';
import { JsonTooDeep, parseJsonWithinDepth } from '../../contract/json-depth.ts';
import { canonicalType } from '../event-row.ts';
import { isoTime, type ProtocolAdapter, text, UnusableEvent } from './adapter.ts';

/** Nealytics' `{projectId, tenantId, sessionId, eventType, itemId, metadataJson}`; itemId is the page/item path. */
export const telemetryAdapter: ProtocolAdapter = (event, envelope, row, _context) => {
  if (event === null || typeof event !== 'object' || Array.isArray(event))
    throw new UnusableEvent('not_an_object', 'the event is not a JSON object');
  const e = event as Record<string, unknown>;
  if (typeof e.eventType !== 'string' || e.eventType === '')
    throw new UnusableEvent('missing_type', 'the event has no eventType');
  const time =
    e.timestamp === undefined || e.timestamp === null ? envelope.receivedAt : parseEventTime(e.timestamp);
  if (Number.isNaN(time))
    throw new UnusableEvent('bad_timestamp', `timestamp "${text(e.timestamp)}" is not a date`);
  row.type = canonicalType(e.eventType);
  row.timestamp = isoTime(time);
  row.tenant_id = text(e.tenantId ?? envelope.tenant, 128);
  row.session_id = text(e.sessionId, 256);
  row.path = text(e.itemId);
  let props = '{}';
  if (typeof e.metadataJson === 'string' && e.metadataJson !== '') {
    try {
      props = JSON.stringify(parseJsonWithinDepth(e.metadataJson, 'metadataJson'));
    } catch (err) {
      if (err instanceof JsonTooDeep) throw new UnusableEvent('too_deep', err.message);
      throw new UnusableEvent('bad_metadata', 'metadataJson is not valid JSON');
    }
  }
  row.props = props;
};
