/**
 * The envelope is what goes on the log: the raw request plus what only the collector knows (time, client IP,
 * user agent, project). Processing can change and replay history because the body is kept as sent.
 *
 * Wire form: `[u32 LE header length][header JSON][raw body bytes]` — the body is not re-serialised, which keeps
 * large batches cheap on the hot path.
 */
export type Protocol =
  | 'native'
  | 'telemetry'
  | 'segment'
  | 'plausible'
  | 'umami'
  | 'snowplow'
  | 'logs'
  | 'cdc';

export interface EnvelopeHeader {
  v: 1;
  id: string;
  /** Milliseconds since the epoch, collector clock. */
  receivedAt: number;
  protocol: Protocol;
  project: string;
  tenant?: string;
  ip: string;
  ua: string;
  /** Allow-listed request headers (lower-case names). */
  headers: Record<string, string>;
  /** Events in the body (1 for a single event). */
  count: number;
  /** The protocol's call when the URL names it (Segment: `track`, `page`, … or `batch`). */
  call?: string;
}

export interface Envelope extends EnvelopeHeader {
  body: Buffer;
}

export function encodeEnvelope(header: EnvelopeHeader, body: Buffer): Buffer {
  const head = Buffer.from(JSON.stringify(header));
  const out = Buffer.allocUnsafe(4 + head.length + body.length);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  body.copy(out, 4 + head.length);
  return out;
}

export class EnvelopeDecodeError extends Error {}

export function decodeEnvelope(bytes: Buffer): Envelope {
  if (bytes.length < 4) throw new EnvelopeDecodeError('record shorter than its header length');
  const headLength = bytes.readUInt32LE(0);
  if (4 + headLength > bytes.length)
    throw new EnvelopeDecodeError('header length past the end of the record');
  let header: EnvelopeHeader;
  try {
    header = JSON.parse(bytes.toString('utf8', 4, 4 + headLength));
  } catch (err) {
    throw new EnvelopeDecodeError(`header is not JSON: ${(err as Error).message}`);
  }
  if (header?.v !== 1) throw new EnvelopeDecodeError(`unknown envelope version ${String(header?.v)}`);
  // The parsed header is ours alone: adding the body to it saves a copy per record.
  const envelope = header as Envelope;
  envelope.body = bytes.subarray(4 + headLength);
  return envelope;
}

/**
 * The id of the n-th event of an envelope: the envelope id with its last 32 bits xor'ed by n. Deterministic, so a
 * replayed envelope yields the same ids; unique within the envelope; as random across envelopes as the v4 id.
 */
export function eventIdOf(envelopeId: string, index: number): string {
  if (index === 0) return envelopeId;
  const tail = (Number.parseInt(envelopeId.slice(28), 16) ^ index) >>> 0;
  return envelopeId.slice(0, 28) + tail.toString(16).padStart(8, '0');
}

/** Request headers worth keeping for enrichment (client hints, language, privacy signals). */
export const ENVELOPE_HEADERS = [
  'referer',
  'origin',
  'accept-language',
  'content-type',
  'dnt',
  'sec-gpc',
  'sec-ch-ua',
  'sec-ch-ua-mobile',
  'sec-ch-ua-platform',
  'sec-ch-ua-platform-version',
  'sec-ch-ua-model',
  'sec-ch-ua-full-version-list',
] as const;
