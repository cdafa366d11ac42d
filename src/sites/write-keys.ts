/**
 * Write keys of the sites made over the API: 32 random bytes behind a recognisable prefix. Only their SHA-256 is
 * stored (a key has the entropy of a token, so a fast hash cannot be reversed by guessing); the key itself is shown
 * once, when it is made. Keys of SIGHTLINE_PROJECTS (`app:KEY`) are hashed the same way when the registry loads.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const WRITE_KEY_PREFIX = 'slw_';
/** How many characters of a key are shown in lists and the audit (the prefix plus 4 of the random part). */
const SHOWN = WRITE_KEY_PREFIX.length + 4;

export const hashWriteKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export function newWriteKey(): { key: string; hash: string; prefix: string } {
  const key = `${WRITE_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashWriteKey(key), prefix: shownPart(key) };
}

/** What of a key may be shown: a few characters, never enough to guess the rest. */
export function shownPart(key: string): string {
  return key.startsWith(WRITE_KEY_PREFIX) ? key.slice(0, SHOWN) : key.slice(0, Math.min(3, key.length - 1));
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
