import { parseEventTime } from '../../contract/event-validator.ts';
import { nativeEventSchema } from '../../contract/protocols/native.schema.ts';
import { canonicalType } from '../event-row.ts';
import { isoTime, type ProtocolAdapter, text, UnusableEvent } from './adapter.ts';
import { screenSize } from './screen-size.ts';

const KNOWN = new Set(Object.keys(nativeEventSchema.properties));

/** The seed's body: `{type, user_id, session_id, timestamp, locale, path, appVersion, screen_size, details{…}}`. */
export const nativeAdapter: ProtocolAdapter = (event, envelope, row, context) => {
  if (event === null || typeof event !== 'object' || Array.isArray(event))
    throw new UnusableEvent('not_an_object', 'the event is not a JSON object');
  const e = event as Record<string, unknown>;
  if (typeof e.type !== 'string' || e.type === '')
    throw new UnusableEvent('missing_type', 'the event has no type');
  const time =
    e.timestamp === undefined || e.timestamp === null ? envelope.receivedAt : parseEventTime(e.timestamp);
  if (Number.isNaN(time))
    throw new UnusableEvent('bad_timestamp', `timestamp "${text(e.timestamp)}" is not a date`);
  row.type = canonicalType(e.type);
  row.timestamp = isoTime(time);
  row.user_id = text(e.user_id, 256);
  row.session_id = text(e.session_id, 256);
  row.locale = text(e.locale, 35);
  row.app_version = text(e.appVersion ?? e.app_version, 128);
  row.referrer = text(e.referrer);
  row.screen_size = screenSize(e.screen_size);
  if (typeof e.url === 'string') context.pageUrl = e.url;
  row.path = text(e.path);
  // No prototype: a `__proto__` key is kept as data instead of replacing the object's prototype.
  const props: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(e)) if (!KNOWN.has(key)) props[key] = e[key];
  if (e.title !== undefined) props.title = e.title;
  if (e.details && typeof e.details === 'object') Object.assign(props, e.details);
  row.props = JSON.stringify(props);
};
