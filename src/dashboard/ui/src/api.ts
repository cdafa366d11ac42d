import type { Me } from '../../../query/api-types.ts';

export type { Me };
/** The dashboard's only way to the server: same-origin fetches, the CSRF header, errors as readable messages. */

export class ApiError extends Error {
  status: number;
  code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** What to show for a failed call: the API's own message, or the error as text. */
export const errorText = (err: unknown) => (err instanceof ApiError ? err.message : String(err));

/** Set on public dashboards (`/share/<project>?auth=sls_…`): every request carries the share token. */
let shareToken: string | undefined;
export function useShareToken(token: string | undefined): void {
  shareToken = token;
}
/** Set on the public dashboard of a site marked public (`/share/<project>` without a token): every request names it. */
let publicProject: string | undefined;
export function usePublicProject(project: string | undefined): void {
  publicProject = project;
}
export const isShared = () => shareToken !== undefined || publicProject !== undefined;

export type Params = Record<string, string | number | undefined>;

export function query(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  if (shareToken) q.set('auth', shareToken);
  else if (publicProject) q.set('project', publicProject);
  const s = q.toString();
  return s ? `?${s}` : '';
}

let onUnauthenticated: () => void = () => undefined;
export function whenLoggedOut(handler: () => void): void {
  onUnauthenticated = handler;
}

async function request<T>(method: string, path: string, params: Params = {}, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1/${path}${query(params)}`, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(method !== 'GET' ? { 'x-sightline-csrf': '1' } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) {
    if (res.status === 401 && path !== 'auth/login') onUnauthenticated();
    throw new ApiError(
      res.status,
      data.error?.code ?? 'HTTP_ERROR',
      data.error?.message ?? `HTTP ${res.status}`,
    );
  }
  return data as T;
}

export const get = <T>(path: string, params?: Params) => request<T>('GET', path, params);
export const post = <T>(path: string, body: unknown, params?: Params) =>
  request<T>('POST', path, params, body);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, {}, body);
export const del = (path: string) => request<void>('DELETE', path);
/** A DELETE whose answer is read (an erasure's counts). */
export const remove = <T>(path: string, params: Params) => request<T>('DELETE', path, params);

/** A CSV download link for the same query (the browser sends the cookie or share token along). */
export const csvUrl = (path: string, params: Params) =>
  `/api/v1/${path}${query({ ...params, format: 'csv' })}`;

/** Whether this login manages a project's settings (goals, saved funnels): an admin, or that project's admin. */
export const managesProject = (me: Me, project: string) => me.admin || (me.admin_of ?? []).includes(project);
