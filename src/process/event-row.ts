/** The canonical `events` row (see 001_events.sql); every protocol adapter produces this shape. */
export interface EventRow {
  event_id: string;
  project: string;
  tenant_id: string;
  type: string;
  /** ISO 8601 UTC. */
  timestamp: string;
  received_at: string;
  user_id: string;
  session_id: string;
  /** UInt64 as a decimal string (JSON numbers cannot hold 64 bits). */
  visitor_id: string;
  host: string;
  path: string;
  referrer: string;
  referrer_source: string;
  channel: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  utm_term: string;
  utm_content: string;
  locale: string;
  app_version: string;
  country: string;
  region: string;
  city: string;
  browser: string;
  browser_version: string;
  os: string;
  os_version: string;
  device_type: string;
  device_vendor: string;
  device_model: string;
  is_bot: boolean;
  updates_profile: boolean;
  bot_reason: string;
  protocol: string;
  ip: string;
  /** Event details as a JSON object text. */
  props: string;
}

export function blankRow(): EventRow {
  return {
    event_id: '',
    project: '',
    tenant_id: '',
    type: '',
    timestamp: '',
    received_at: '',
    user_id: '',
    session_id: '',
    visitor_id: '0',
    host: '',
    path: '',
    referrer: '',
    referrer_source: '',
    channel: '',
    utm_source: '',
    utm_medium: '',
    utm_campaign: '',
    utm_term: '',
    utm_content: '',
    locale: '',
    app_version: '',
    country: '',
    region: '',
    city: '',
    browser: '',
    browser_version: '',
    os: '',
    os_version: '',
    device_type: '',
    device_vendor: '',
    device_model: '',
    is_bot: false,
    updates_profile: false,
    bot_reason: '',
    protocol: '',
    ip: '',
    props: '{}',
  };
}

export interface DeadLetterRow {
  received_at: string;
  project: string;
  source: string;
  reason: string;
  envelope_id: string;
  payload: string;
}

/** Event names clients use for a page view; stored as `pageview` so every protocol counts the same. */
const PAGEVIEW_ALIASES = new Set(['pageview', 'page_view', 'pageView', 'page', '$pageview']);

export function canonicalType(type: string): string {
  return PAGEVIEW_ALIASES.has(type) ? 'pageview' : type;
}

/**
 * Whether an ISO time (as `toISOString` writes it) fits the store's DateTime64 columns (years 1900–2299). Years
 * outside 0–9999 are written with six digits and a sign, which the store cannot read.
 */
export function isStorableTime(iso: string): boolean {
  if (iso.length !== 24) return false;
  const year = Number(iso.slice(0, 4));
  return year >= 1900 && year <= 2299;
}
