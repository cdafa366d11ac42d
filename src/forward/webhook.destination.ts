/**
 * Generic webhook: `POST {events: [...]}` as JSON. With a secret, `X-Sightline-Signature: sha256=<hex>` is the
 * HMAC-SHA256 of the exact body bytes; `Idempotency-Key` names the batch, and each event carries its own
 * `idempotency_key` (its event id) for receivers that deduplicate per event.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { batchKey, type Formatter, USER_AGENT } from './outgoing-request.ts';

export const SIGNATURE_HEADER = 'x-sightline-signature';

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a receiver runs: recompute the HMAC of the raw body and compare in constant time. */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export const formatWebhook: Formatter = (events, spec) => {
  const body = JSON.stringify({ events });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'idempotency-key': batchKey(events),
      ...(spec.secret ? { [SIGNATURE_HEADER]: signBody(spec.secret, body) } : {}),
    },
  };
};
