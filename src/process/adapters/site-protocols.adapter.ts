/** Plausible's and Umami's events → canonical rows (page URL, referrer and properties; time is when received). */
import { normalisePlausible } from '../../contract/protocols/plausible.schema.ts';
import { canonicalType } from '../event-row.ts';
import { isoTime, obj, type ProtocolAdapter, text, UnusableEvent } from './adapter.ts';
import { screenSize } from './screen-size.ts';

export const plausibleAdapter: ProtocolAdapter = (event, envelope, row, context) => {
  const e = normalisePlausible(event);
  if (typeof e.name !== 'string' || e.name === '')
    throw new UnusableEvent('missing_type', 'the event has no name');
  row.type = canonicalType(e.name.slice(0, 200));
  row.timestamp = isoTime(envelope.receivedAt);
  context.pageUrl = text(e.url, 8192);
  row.referrer = text(e.referrer);
  const props: Record<string, unknown> = { ...obj(e.props) };
  if (e.revenue && typeof e.revenue === 'object') props.revenue = e.revenue;
  if (e.interactive === false) props.interactive = false;
  row.props = JSON.stringify(props);
};

export const umamiAdapter: ProtocolAdapter = (event, envelope, row, context) => {
  const body = obj(event);
  const p = obj(body.payload);
  if (typeof p.website !== 'string') throw new UnusableEvent('missing_site', 'the payload has no website');
  const name = typeof p.name === 'string' && p.name !== '' ? p.name : '';
  row.type = body.type === 'identify' ? 'identify' : name ? canonicalType(name.slice(0, 200)) : 'pageview';
  row.timestamp = isoTime(envelope.receivedAt);
  row.user_id = text(p.id, 256);
  row.locale = text(p.language, 35);
  const url = text(p.url, 8192);
  const host = text(p.hostname, 255);
  context.pageUrl = url.startsWith('/') && host ? `https://${host}${url}` : url;
  row.referrer = text(p.referrer);
  row.screen_size = screenSize(p.screen);
  const props: Record<string, unknown> = { ...obj(p.data) };
  if (p.title) props.title = p.title;
  if (p.screen) props.screen = p.screen;
  row.props = JSON.stringify(props);
};
