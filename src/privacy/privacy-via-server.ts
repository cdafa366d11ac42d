/** `sightline erase` and `export-person` through a running server's admin API (`/api/v1/people`). */
import { callServer } from '../server/running-server.ts';
import type { ErasureResult } from './erase.ts';
import type { PersonMatch } from './match.ts';
import { confirmMatches, printErasure, printMatches, writeExport } from './privacy-output.ts';
import type { Subject } from './subject.ts';

export type Action = 'erase' | 'export-person';

/** Asks a running server; undefined when nothing listens there. */
export async function viaServer(
  base: string,
  token: string | undefined,
  action: Action,
  subject: Subject,
  out: string | undefined,
  suppressDays: number,
): Promise<number | undefined> {
  const query = new URLSearchParams({ project: subject.project, by: subject.type });
  if (suppressDays > 0) query.set('suppress_days', String(suppressDays));
  const url = `/api/v1/people/${encodeURIComponent(subject.id)}${action === 'erase' ? '' : '/export'}?${query}`;
  const answer = await callServer(action, base, token, url, {
    method: action === 'erase' ? 'DELETE' : 'GET',
  });
  if (answer === undefined || 'exitCode' in answer) return answer?.exitCode;
  if (action === 'erase') printErasure(answer.body as unknown as ErasureResult);
  else writeExport(answer.body, out);
  return 0;
}

/** `--match` through a running server: the people listed (GET), then each erased by user id. */
export async function matchViaServer(
  base: string,
  token: string | undefined,
  match: PersonMatch,
  yes: boolean,
  suppressDays: number,
): Promise<number | undefined> {
  const query = new URLSearchParams({ project: match.project, match: `${match.key}=${match.value}` });
  const answer = await callServer('erase', base, token, `/api/v1/people?${query}`);
  if (answer === undefined || 'exitCode' in answer) return answer?.exitCode;
  const users = (answer.body.user_ids as string[] | undefined) ?? [];
  printMatches(match, users);
  if (users.length > 0 && !yes) return confirmMatches();
  for (const id of users) {
    const subject: Subject = { project: match.project, type: 'user_id', id };
    const status = await viaServer(base, token, 'erase', subject, undefined, suppressDays);
    if (status !== 0) return status ?? 1;
  }
  return 0;
}
