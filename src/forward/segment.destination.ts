/**
 * Segment's HTTP Tracking API batch (`POST /v1/batch`, Basic auth with the write key): page views become `page`
 * calls, `identify` events `identify` calls with their properties as traits, the rest `track` calls. `messageId`
 * is the event id, Segment's deduplication key. Sightline's own collector accepts this, so a second Sightline
 * can be the destination.
 */

import type { ForwardEvent } from './forward-event.ts';
import { basicAuth, batchKey, type Formatter, USER_AGENT } from './outgoing-request.ts';

export function toSegment(e: ForwardEvent): Record<string, unknown> {
  const ids = e.user_id !== '' ? { userId: e.user_id } : { anonymousId: e.visitor_id };
  const page = {
    path: e.path,
    ...(e.host !== '' ? { url: `https://${e.host}${e.path}` } : {}),
    ...(e.referrer !== '' ? { referrer: e.referrer } : {}),
  };
  const campaign = Object.fromEntries(
    [
      ['source', e.utm_source],
      ['medium', e.utm_medium],
      ['name', e.utm_campaign],
      ['term', e.utm_term],
      ['content', e.utm_content],
    ].filter(([, v]) => v !== ''),
  );
  const context = {
    page,
    ...(e.locale !== '' ? { locale: e.locale } : {}),
    ...(e.app_version !== '' ? { app: { version: e.app_version } } : {}),
    ...(Object.keys(campaign).length > 0 ? { campaign } : {}),
    library: { name: 'sightline-forward', version: '1' },
  };
  const common = { ...ids, messageId: e.event_id, timestamp: e.timestamp, context };
  if (e.type === 'pageview') return { type: 'page', ...common, properties: { ...e.props, ...page } };
  if (e.type === 'identify') return { type: 'identify', ...common, traits: e.props };
  return { type: 'track', event: e.type, ...common, properties: e.props };
}

export const formatSegment: Formatter = (events, spec) => ({
  body: JSON.stringify({ batch: events.map(toSegment) }),
  headers: {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    authorization: basicAuth(spec.writeKey ?? ''),
    'idempotency-key': batchKey(events),
  },
});
