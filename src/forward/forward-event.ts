/**
 * The event as destinations see it: the canonical row (what `events` stores) with its properties as an object,
 * without the client IP, and with the idempotency key — the event id, which is the same on every redelivery.
 */
import type { EventRow } from '../process/event-row.ts';

/** The stored row's fields but the IP and the processor's bookkeeping; the properties parsed. */
export type ForwardEvent = Omit<
  EventRow,
  'ip' | 'props' | 'device_vendor' | 'device_model' | 'bot_reason' | 'updates_profile'
> & {
  idempotency_key: string;
  props: Record<string, unknown>;
};

function parseProps(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function toForwardEvent(row: EventRow): ForwardEvent {
  return {
    event_id: row.event_id,
    idempotency_key: row.event_id,
    project: row.project,
    tenant_id: row.tenant_id,
    type: row.type,
    timestamp: row.timestamp,
    received_at: row.received_at,
    user_id: row.user_id,
    visitor_id: row.visitor_id,
    session_id: row.session_id,
    host: row.host,
    path: row.path,
    referrer: row.referrer,
    referrer_source: row.referrer_source,
    channel: row.channel,
    utm_source: row.utm_source,
    utm_medium: row.utm_medium,
    utm_campaign: row.utm_campaign,
    utm_term: row.utm_term,
    utm_content: row.utm_content,
    locale: row.locale,
    app_version: row.app_version,
    country: row.country,
    region: row.region,
    city: row.city,
    browser: row.browser,
    browser_version: row.browser_version,
    os: row.os,
    os_version: row.os_version,
    device_type: row.device_type,
    is_bot: row.is_bot,
    protocol: row.protocol,
    props: parseProps(row.props),
  };
}
