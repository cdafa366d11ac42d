import { createHash } from 'node:crypto';
import { LruCache } from '../lru-cache.ts';
import type { Step } from './step.ts';

/** A 64-bit id as a decimal string: the first 8 bytes of SHA-256. */
export function hash64(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest().readBigUInt64BE(0).toString();
}

/**
 * With a user id the visitor derives from it. Without one the id stays 0 here; the cookieless daily-salted hash
 * belongs to the enrichment issue and slots in as its own step.
 */
const byUser = new LruCache<string, string>(50_000);

export const putVisitor: Step = {
  name: 'put-visitor',
  run(row) {
    if (row.user_id === '') return;
    const key = `${row.project}\u0000${row.user_id}`;
    let id = byUser.get(key);
    if (id === undefined) {
      id = hash64(row.project, row.user_id);
      byUser.set(key, id);
    }
    row.visitor_id = id;
  },
};
