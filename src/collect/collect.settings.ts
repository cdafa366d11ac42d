/** The collector's settings: per-IP rate limits, browser origins and opt-out signals. */

import { bool, field, integer, type SettingsOf, text } from '../config/setting-fields.ts';

export const collectSettings = {
  rateLimitPerSecond: field({
    env: 'SIGHTLINE_RATE_LIMIT_PER_SECOND',
    default: '100',
    description: 'Ingestion requests per second per client IP (token bucket refill); `0` turns limiting off.',
    parse: integer(0, 10_000_000),
  }),
  rateLimitBurst: field({
    env: 'SIGHTLINE_RATE_LIMIT_BURST',
    default: '500',
    description: 'Token bucket size: requests one IP may send at once before being limited.',
    parse: integer(1, 10_000_000),
  }),
  corsOrigins: field({
    env: 'SIGHTLINE_CORS_ORIGINS',
    default: '*',
    description: 'Origins allowed to send events from a browser: `*` or a comma-separated list.',
    parse: text,
  }),
  honorGpc: field({
    env: 'SIGHTLINE_HONOR_GPC',
    default: 'false',
    description:
      'Drop the events of browser requests (native, Plausible, Umami, Snowplow) that carry `DNT: 1` or `Sec-GPC: 1`; they are still answered as accepted. Counted in `sightline_collect_opted_out_events_total`. See PRIVACY.md.',
    parse: bool,
  }),
};

export type CollectConfig = SettingsOf<typeof collectSettings>;
