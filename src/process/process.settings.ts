/** The processor's settings: batches, visits, enrichment and what is cleaned or flagged in each event. */

import { bool, field, integer, list, oneOf, type SettingsOf, text } from '../config/setting-fields.ts';

export const processSettings = {
  batchMaxRows: field({
    env: 'SIGHTLINE_BATCH_MAX_ROWS',
    default: '10000',
    description: 'The processor inserts when this many log records are waiting …',
    parse: integer(1, 1_000_000),
  }),
  batchMaxWaitMs: field({
    env: 'SIGHTLINE_BATCH_MAX_WAIT_MS',
    default: '1000',
    description: '… or when the oldest waiting record is this old (milliseconds).',
    parse: integer(1, 600_000),
  }),
  sessionTimeoutMinutes: field({
    env: 'SIGHTLINE_SESSION_TIMEOUT_MINUTES',
    default: '30',
    description: 'Inactivity that ends a visit, for clients that send no session id.',
    parse: integer(1, 1440),
  }),
  geoipCityDb: field({
    env: 'SIGHTLINE_GEOIP_CITY_DB',
    default: undefined,
    description:
      'Path of a GeoLite2-City or DB-IP City `.mmdb` for region and city; countries come from the shipped CC0 database.',
    parse: text,
  }),
  storeIp: field({
    env: 'SIGHTLINE_STORE_IP',
    default: 'false',
    description:
      'Store the client IP in `events.ip`. Off by default: the IP is used for geo and visitor hashing only.',
    parse: bool,
  }),
  stripQueryParams: field({
    env: 'SIGHTLINE_STRIP_QUERY_PARAMS',
    default:
      'token,access_token,id_token,auth,key,api_key,apikey,password,pass,pwd,secret,session,sessionid,sid,email,mail,code',
    description: 'Query parameters removed from stored URLs (referrers), comma-separated, case-insensitive.',
    parse: list(true),
  }),
  trailingSlash: field({
    env: 'SIGHTLINE_TRAILING_SLASH',
    default: 'strip',
    description:
      '`strip`: `/docs/` and `/docs` are one page (stored as `/docs`); `keep`: paths are stored as sent.',
    parse: oneOf(['strip', 'keep'] as const),
  }),
  hashRouting: field({
    env: 'SIGHTLINE_HASH_ROUTING',
    default: 'false',
    description:
      'Single-page apps with hash routes: a URL fragment starting with `/` is the path (`/#/settings` → `/settings`).',
    parse: bool,
  }),
  botUserAgents: field({
    env: 'SIGHTLINE_BOT_USER_AGENTS',
    default: '',
    description:
      'Extra user-agent substrings to flag as bots (comma-separated, case-insensitive), on top of `isbot` and the referrer spam list.',
    parse: list(),
  }),
  profileEventTypes: field({
    env: 'SIGHTLINE_PROFILE_EVENT_TYPES',
    default: '',
    description:
      'Event types that update user profiles (comma-separated); empty = every type. `identify` always does.',
    parse: list(),
  }),
};

export type ProcessConfig = SettingsOf<typeof processSettings>;
