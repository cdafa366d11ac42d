/** A native `signup` event for user `u<n>` wrapped as the collector logs it, for tests that append to the log directly. */
import { randomUUID } from 'node:crypto';
import { encodeEnvelope } from '../../src/contract/envelope.ts';

export function signupEnvelope(n: number): Buffer {
  const body = Buffer.from(JSON.stringify({ type: 'signup', user_id: `u${n}`, details: { n } }));
  return encodeEnvelope(
    {
      v: 1,
      id: randomUUID(),
      receivedAt: Date.now(),
      protocol: 'native',
      project: 'app',
      ip: '203.0.113.1',
      ua: 'test',
      headers: {},
      count: 1,
    },
    body,
  );
}
