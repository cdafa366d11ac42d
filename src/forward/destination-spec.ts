/** One destination of `SIGHTLINE_FORWARD`: its service, address, credentials and delivery settings. */
import { fail, int, object, onlyKeys, str } from './forward-config-fields.ts';

export const DESTINATION_TYPES = ['webhook', 'mixpanel', 'segment'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

export interface DestinationSpec {
  name: string;
  type: DestinationType;
  url: string;
  /** Webhook: HMAC-SHA256 key of the `X-Sightline-Signature` header (no header without it). */
  secret?: string;
  /** Mixpanel: the project token (Basic auth user). */
  token?: string;
  /** Segment: the source's write key (Basic auth user). */
  writeKey?: string;
  batchSize: number;
  /** Requests per second (token bucket; bursts up to one second's worth). */
  ratePerSecond: number;
  /** Attempts of one batch before its events go to `forward_dead_letters`. */
  maxAttempts: number;
  timeoutMs: number;
  /** First retry delay; it doubles per attempt up to `backoffMaxMs` (full jitter: a random delay up to that). */
  backoffMs: number;
  backoffMaxMs: number;
}

const DEFAULT_URLS: Partial<Record<DestinationType, string>> = {
  // strict=1: Mixpanel checks every record and answers 400 with the failures instead of dropping them quietly.
  mixpanel: 'https://api.mixpanel.com/import?strict=1',
  segment: 'https://api.segment.io/v1/batch',
};

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

export function parseDestination(value: unknown, at: string): DestinationSpec {
  const o = object(value, at);
  onlyKeys(
    o,
    [
      'name',
      'type',
      'url',
      'secret',
      'token',
      'writeKey',
      'batchSize',
      'ratePerSecond',
      'maxAttempts',
      'timeoutMs',
      'backoffMs',
      'backoffMaxMs',
    ],
    at,
  );
  const name = str(o, 'name', at, true) as string;
  if (!NAME.test(name)) fail(`${at}.name`, `"${name}" must be 1-64 letters, digits, "_" or "-"`);
  const type = str(o, 'type', at, true) as DestinationType;
  if (!DESTINATION_TYPES.includes(type))
    fail(`${at}.type`, `expected one of ${DESTINATION_TYPES.join(', ')}, got "${type}"`);
  const url = str(o, 'url', at, DEFAULT_URLS[type] === undefined) ?? (DEFAULT_URLS[type] as string);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    fail(`${at}.url`, `expected an http(s):// URL, got "${url}"`);
  const spec: DestinationSpec = {
    name,
    type,
    url,
    batchSize: int(o, 'batchSize', at, type === 'mixpanel' ? 2000 : 100, 1, 10_000),
    ratePerSecond: int(o, 'ratePerSecond', at, 10, 1, 10_000),
    maxAttempts: int(o, 'maxAttempts', at, 20, 1, 1000),
    timeoutMs: int(o, 'timeoutMs', at, 10_000, 100, 600_000),
    backoffMs: int(o, 'backoffMs', at, 500, 1, 600_000),
    backoffMaxMs: int(o, 'backoffMaxMs', at, 60_000, 1, 3_600_000),
  };
  if (spec.backoffMaxMs < spec.backoffMs)
    fail(`${at}.backoffMaxMs`, `must not be below backoffMs (${spec.backoffMs})`);
  const secret = str(o, 'secret', at, false);
  if (secret !== undefined) {
    if (type !== 'webhook') fail(`${at}.secret`, 'only webhook destinations sign their requests');
    if (Buffer.byteLength(secret) < 16) fail(`${at}.secret`, 'must be at least 16 bytes long');
    spec.secret = secret;
  }
  const token = str(o, 'token', at, type === 'mixpanel');
  if (token !== undefined) {
    if (type !== 'mixpanel') fail(`${at}.token`, 'is the Mixpanel project token; use it on type mixpanel');
    spec.token = token;
  }
  const writeKey = str(o, 'writeKey', at, type === 'segment');
  if (writeKey !== undefined) {
    if (type !== 'segment') fail(`${at}.writeKey`, 'is the Segment write key; use it on type segment');
    spec.writeKey = writeKey;
  }
  return spec;
}
