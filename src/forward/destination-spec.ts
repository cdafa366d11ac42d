/** One destination of `SIGHTLINE_FORWARD`: its service, address, credentials and delivery settings. */
import { when } from '../config/json-schema.ts';
import {
  checkShape,
  compileSchema,
  fail,
  type Json,
  numbersFromText,
  OPTIONAL_TEXT,
  REQUIRED_TEXT,
  strictObject,
  textOf,
  wholeNumber,
} from './forward-config-fields.ts';

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
const INTEGERS = ['batchSize', 'ratePerSecond', 'maxAttempts', 'timeoutMs', 'backoffMs', 'backoffMaxMs'];
const requiredFor = (type: DestinationType, key: string) =>
  when(
    { properties: { type: { const: type } }, required: ['type'] },
    { properties: { [key]: REQUIRED_TEXT }, required: [key] },
  );

/** A destination's shape; its URL, the secret's length and which credential fits which type are checked in code. */
const DESTINATION = compileSchema(
  strictObject(
    {
      name: {
        ...REQUIRED_TEXT,
        pattern: NAME.source,
        hint: { ...REQUIRED_TEXT.hint, pattern: '{got} must be 1-64 letters, digits, "_" or "-"' },
      },
      type: {
        ...REQUIRED_TEXT,
        enum: [...DESTINATION_TYPES, '', null],
        hint: { ...REQUIRED_TEXT.hint, enum: `expected one of ${DESTINATION_TYPES.join(', ')}, got {got}` },
      },
      url: OPTIONAL_TEXT,
      secret: OPTIONAL_TEXT,
      token: OPTIONAL_TEXT,
      writeKey: OPTIONAL_TEXT,
      batchSize: wholeNumber(1, 10_000),
      ratePerSecond: wholeNumber(1, 10_000),
      maxAttempts: wholeNumber(1, 1000),
      timeoutMs: wholeNumber(100, 600_000),
      backoffMs: wholeNumber(1, 600_000),
      backoffMaxMs: wholeNumber(1, 3_600_000),
    },
    {
      required: ['name', 'type'],
      allOf: [
        requiredFor('webhook', 'url'),
        requiredFor('mixpanel', 'token'),
        requiredFor('segment', 'writeKey'),
      ],
    },
  ),
);

export function parseDestination(value: unknown, at: string): DestinationSpec {
  const o = numbersFromText(value, INTEGERS) as Json;
  checkShape(DESTINATION, o, at, at);
  const name = o.name as string;
  const type = o.type as DestinationType;
  const url = textOf(o.url) ?? (DEFAULT_URLS[type] as string);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    fail(`${at}.url`, `expected an http(s):// URL, got "${url}"`);
  const int = (key: string, fallback: number) => (o[key] as number | undefined) ?? fallback;
  const spec: DestinationSpec = {
    name,
    type,
    url,
    batchSize: int('batchSize', type === 'mixpanel' ? 2000 : 100),
    ratePerSecond: int('ratePerSecond', 10),
    maxAttempts: int('maxAttempts', 20),
    timeoutMs: int('timeoutMs', 10_000),
    backoffMs: int('backoffMs', 500),
    backoffMaxMs: int('backoffMaxMs', 60_000),
  };
  if (spec.backoffMaxMs < spec.backoffMs)
    fail(`${at}.backoffMaxMs`, `must not be below backoffMs (${spec.backoffMs})`);
  const secret = textOf(o.secret);
  if (secret !== undefined) {
    if (type !== 'webhook') fail(`${at}.secret`, 'only webhook destinations sign their requests');
    if (Buffer.byteLength(secret) < 16) fail(`${at}.secret`, 'must be at least 16 bytes long');
    spec.secret = secret;
  }
  const token = textOf(o.token);
  if (token !== undefined) {
    if (type !== 'mixpanel') fail(`${at}.token`, 'is the Mixpanel project token; use it on type mixpanel');
    spec.token = token;
  }
  const writeKey = textOf(o.writeKey);
  if (writeKey !== undefined) {
    if (type !== 'segment') fail(`${at}.writeKey`, 'is the Segment write key; use it on type segment');
    spec.writeKey = writeKey;
  }
  return spec;
}
