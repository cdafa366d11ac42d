/**
 * The whole dashboard state lives in the URL (project, period, comparison, filters, chart metric …), so every view
 * can be bookmarked and shared. `useRoute()` re-renders on navigation.
 */
import { useEffect, useState } from 'preact/hooks';

export type Filter = [op: 'is' | 'is_not' | 'contains' | 'matches', dimension: string, values: string[]];

export interface Route {
  path: string;
  params: URLSearchParams;
}

const listeners = new Set<() => void>();
const current = (): Route => ({ path: location.pathname, params: new URLSearchParams(location.search) });

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function navigate(path: string, params?: URLSearchParams | Record<string, string | undefined>): void {
  const q =
    params instanceof URLSearchParams
      ? params
      : new URLSearchParams(
          Object.entries(params ?? {}).filter(
            (e): e is [string, string] => e[1] !== undefined && e[1] !== '',
          ),
        );
  const s = q.toString();
  history.pushState(null, '', `${path}${s ? `?${s}` : ''}`);
  for (const l of listeners) l();
}

/** Changes some parameters of the current page, keeping the rest. */
export function update(changes: Record<string, string | undefined>): void {
  const { path, params } = current();
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') params.delete(k);
    else params.set(k, v);
  }
  navigate(path, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const l = () => setRoute(current());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return route;
}

export function filtersOf(params: URLSearchParams): Filter[] {
  try {
    const parsed = JSON.parse(params.get('filters') ?? '[]');
    return Array.isArray(parsed) ? (parsed as Filter[]) : [];
  } catch {
    return [];
  }
}

export function setFilters(filters: Filter[]): void {
  update({ filters: filters.length ? JSON.stringify(filters) : undefined });
}

export function addFilter(dimension: string, value: string): void {
  const filters = filtersOf(current().params).filter((f) => f[1] !== dimension);
  setFilters([...filters, ['is', dimension, [value]]]);
}

/** The zone each site reports in (Settings → Sites); a site without one follows the viewer's browser. */
let siteTimeZones: Record<string, string> = {};
let firstProject: string | undefined;
export function setSiteTimeZones(zones: Record<string, string>, defaultProject: string | undefined): void {
  siteTimeZones = zones;
  firstProject = defaultProject;
}

/** The stats API parameters the URL implies (shared by every panel). */
export function statsParams(params: URLSearchParams): Record<string, string | undefined> {
  const period = params.get('period') ?? '30d';
  return {
    project: params.get('project') ?? undefined,
    period: params.get('from') ? 'custom' : period,
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
    tz:
      params.get('tz') ??
      siteTimeZones[params.get('project') ?? firstProject ?? ''] ??
      Intl.DateTimeFormat().resolvedOptions().timeZone,
    filters: params.get('filters') ?? undefined,
    exact: params.get('exact') ?? undefined,
  };
}
