/**
 * Splits the page URL into host and a normalised path, and reads campaign parameters from its query.
 * Paths: query and fragment dropped (only UTM values are kept, in their columns), repeated slashes collapsed,
 * a trailing slash removed unless `trailingSlash: 'keep'` ('/docs/' and '/docs' are one page by default);
 * with hash routing, a fragment that starts with '/' is the path (`/#/settings` → `/settings`).
 */
import type { Step } from './step.ts';

export interface UrlOptions {
  trailingSlash: 'strip' | 'keep';
  hashRouting: boolean;
}

const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

export function normalisePath(path: string, options: UrlOptions): string {
  let p = path.split(/[?#]/)[0] || '/';
  if (!p.startsWith('/')) p = `/${p}`;
  p = p.replace(/\/{2,}/g, '/');
  if (options.trailingSlash === 'strip' && p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export function putUrl(options: UrlOptions): Step {
  return {
    name: 'put-url',
    run(row, _envelope, context) {
      let url: URL | undefined;
      if (context.pageUrl) {
        try {
          url = new URL(context.pageUrl);
        } catch {
          url = undefined;
        }
      }
      if (url) {
        row.host ||= url.hostname.toLowerCase();
        const routed = options.hashRouting && url.hash.startsWith('#/') ? url.hash.slice(1) : url.pathname;
        if (row.path === '') row.path = routed;
        for (const key of UTM) {
          const value = url.searchParams.get(key);
          if (value) row[key] = value.slice(0, 256);
        }
        // `ref` and `source` are the short forms sites and newsletters use instead of utm_source.
        if (row.utm_source === '')
          row.utm_source = (url.searchParams.get('ref') ?? url.searchParams.get('source') ?? '').slice(
            0,
            256,
          );
      }
      if (row.path !== '') row.path = normalisePath(row.path, options);
    },
  };
}
