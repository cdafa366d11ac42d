/**
 * The person a request is about: one project and either a `user_id` (what the site sends) or a `visitor_id` (the
 * cookieless daily hash Sightline computed, as the dashboard shows it). Validated here once for the API and the CLI.
 */
import { createHash } from 'node:crypto';
import { privacyBadParams } from './errors.ts';

export type SubjectType = 'user_id' | 'visitor_id';
export const SUBJECT_TYPES: readonly SubjectType[] = ['user_id', 'visitor_id'];

export interface Subject {
  project: string;
  type: SubjectType;
  /** A user id as stored, or a visitor id in decimal without leading zeros. */
  id: string;
}

/** Longer than any id a tracker sends; bounds what a request can make the store search for. */
const MAX_ID = 1024;
const MAX_UINT64 = 18_446_744_073_709_551_615n;

export function parseSubject(
  project: string | undefined,
  type: string | undefined,
  id: string | undefined,
  /** Undefined: checked where the sites are known (the CLI passes a request on to a server, which checks it). */
  knownProjects: readonly string[] | undefined,
): Subject {
  const problems: Array<{ param: string; message: string }> = [];
  if (!project) problems.push({ param: 'project', message: 'is required' });
  else if (knownProjects && !knownProjects.includes(project))
    problems.push({ param: 'project', message: `must be one of ${knownProjects.join(', ')}` });
  const kind = (type ?? 'user_id') as SubjectType;
  if (!SUBJECT_TYPES.includes(kind)) problems.push({ param: 'by', message: 'must be user_id or visitor_id' });
  let value = id ?? '';
  if (value === '') problems.push({ param: kind, message: 'is required (not empty)' });
  else if (value.length > MAX_ID)
    problems.push({ param: kind, message: `is longer than ${MAX_ID} characters` });
  else if (kind === 'visitor_id') {
    if (!/^\d{1,20}$/.test(value) || BigInt(value) === 0n || BigInt(value) > MAX_UINT64)
      problems.push({ param: kind, message: 'must be a visitor id: a whole number from 1 to 2^64-1' });
    else value = BigInt(value).toString();
  }
  if (problems.length > 0) throw privacyBadParams(problems);
  return { project: project as string, type: kind, id: value };
}

/** What the audit keeps instead of the id: an admin can hash a name to check whether it was handled. */
/** 400 naming `project` unless it is one of `knownProjects`. */
export function requireKnownProject(project: string, knownProjects: readonly string[]): void {
  if (!knownProjects.includes(project))
    throw privacyBadParams([{ param: 'project', message: `must be one of ${knownProjects.join(', ')}` }]);
}

export function subjectHash(subject: Subject): string {
  return createHash('sha256')
    .update(`${subject.project}\u0000${subject.type}\u0000${subject.id}`)
    .digest('hex');
}

/**
 * What the audit keeps of an erased user's visits (their session ids): a replayed anonymous event of such a visit,
 * received before the erasure, is dropped as the erasure deleted it (src/privacy/suppressions.ts).
 */
export function sessionHash(project: string, sessionId: string): string {
  return createHash('sha256').update(`${project}\u0000session_id\u0000${sessionId}`).digest('hex');
}
