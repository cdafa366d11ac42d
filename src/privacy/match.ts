/**
 * Erasure by a trait or property value (`--match 'email=alice@example.com'`, `?match=email=alice@example.com`): a
 * person known by their e-mail rather than the user id the site sends. The user ids whose profile traits or event
 * properties hold exactly that value under that key, in that project, are found here, shown, then each erased as a
 * user-id erasure. At most MAX_MATCHES: a value many people share (`plan=pro`) is refused, not erased in bulk.
 */
import type { Store } from '../store/store.ts';
import { privacyBadParams } from './errors.ts';

export interface PersonMatch {
  project: string;
  key: string;
  value: string;
}

export const MAX_MATCHES = 100;
const MAX_KEY = 256;
const MAX_VALUE = 1024;

/** `key=value` (split at the first `=`), both non-empty. */
export function parseMatch(project: string, raw: string | undefined): PersonMatch {
  const at = raw?.indexOf('=') ?? -1;
  const key = raw && at > 0 ? raw.slice(0, at) : '';
  const value = raw && at > 0 ? raw.slice(at + 1) : '';
  if (!key || !value)
    throw privacyBadParams([{ param: 'match', message: 'must be key=value, e.g. email=alice@example.com' }]);
  if (key.length > MAX_KEY || value.length > MAX_VALUE)
    throw privacyBadParams([
      { param: 'match', message: `key is at most ${MAX_KEY} and value ${MAX_VALUE} characters` },
    ]);
  return { project, key, value };
}

/**
 * The user ids whose profile traits or event properties hold the value (as a JSON string, or a bare number or
 * boolean written the same way), sorted. Refused when more than MAX_MATCHES people match.
 */
export async function matchingUsers(store: Store, m: PersonMatch): Promise<string[]> {
  const holds = (json: string) =>
    `(JSONExtractString(${json}, {key:String}) = {value:String} OR JSONExtractRaw(${json}, {key:String}) = {value:String})`;
  const rows = await store.query<{ user_id: string }>(
    `SELECT DISTINCT user_id FROM (
       SELECT user_id FROM user_profiles_view WHERE project = {project:String} AND ${holds('traits')}
       UNION ALL
       SELECT user_id FROM events WHERE project = {project:String} AND user_id != '' AND ${holds('props')}
     ) WHERE user_id != '' ORDER BY user_id LIMIT {limit:UInt32}`,
    { project: m.project, key: m.key, value: m.value, limit: MAX_MATCHES + 1 },
  );
  if (rows.length > MAX_MATCHES)
    throw privacyBadParams([
      {
        param: 'match',
        message: `matches more than ${MAX_MATCHES} people: not a value that names one person; erase them by --user-id`,
      },
    ]);
  return rows.map((r) => r.user_id);
}
