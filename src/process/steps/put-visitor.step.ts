import { createHash } from 'node:crypto';
import type { DailySalts } from '../enrich/daily-salts.ts';
import { LruCache } from '../lru-cache.ts';
import type { Step } from './step.ts';

/** A 64-bit id as a decimal string: the first 8 bytes of SHA-256. */
export function hash64(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest().readBigUInt64BE(0).toString();
}

/**
 * With a user id the visitor derives from it (stable across days and devices), else from a client's anonymous id
 * (Segment's anonymousId). Without either, the cookieless id:
 * a hash of the day's salt, project, IP and user agent — one visitor per day, unlinkable once the salt is gone.
 */
export function putVisitor(salts: DailySalts): Step {
  const byUser = new LruCache<string, string>(50_000);
  // One visitor sends several events a day: the cookieless hash is remembered per salt, so the memory goes with
  // the salt when it is destroyed (the cache is then unreachable and collected).
  const bySalt = new WeakMap<Buffer, LruCache<string, string>>();
  return {
    name: 'put-visitor',
    run(row, envelope, context) {
      const known =
        row.user_id !== ''
          ? `u\u0000${row.user_id}`
          : context.anonymousId !== ''
            ? `a\u0000${context.anonymousId}`
            : '';
      if (known !== '') {
        const key = `${row.project}\u0000${known}`;
        let id = byUser.get(key);
        if (id === undefined) {
          id =
            row.user_id !== ''
              ? hash64(row.project, row.user_id)
              : hash64(row.project, 'anonymous', context.anonymousId);
          byUser.set(key, id);
        }
        row.visitor_id = id;
        return;
      }
      if (context.ip === '' && context.ua === '') return;
      const salt = salts.saltFor(envelope.receivedAt);
      let seen = bySalt.get(salt);
      if (!seen) {
        seen = new LruCache<string, string>(50_000);
        bySalt.set(salt, seen);
      }
      const key = `${row.project}\u0000${context.ip}\u0000${context.ua}`;
      let id = seen.get(key);
      if (id === undefined) {
        id = hash64(salt, row.project, context.ip, context.ua);
        seen.set(key, id);
      }
      row.visitor_id = id;
    },
  };
}
