/** Known referrer hosts → source name and medium, from `data/referrer-sources.json` (see its provenance). */
import { createRequire } from 'node:module';

export type Medium = 'search' | 'social' | 'email' | 'referral';

export interface ReferrerSource {
  name: string;
  medium: Medium;
}

interface SourceList {
  sources: Array<{ name: string; medium: Medium; hosts: string[] }>;
}

const list = createRequire(import.meta.url)('../data/referrer-sources.json') as SourceList;

const exact = new Map<string, ReferrerSource>();
/** `google.*`: the brand label followed only by a public suffix (google.de, google.co.uk, google.com.br). */
const anySuffix = new Map<string, ReferrerSource>();
const byName = new Map<string, ReferrerSource>();
for (const s of list.sources) {
  const source = { name: s.name, medium: s.medium };
  byName.set(s.name.toLowerCase(), source);
  for (const host of s.hosts) {
    if (host.endsWith('.*')) anySuffix.set(host.slice(0, -2), source);
    else exact.set(host, source);
  }
}

function suffixLike(labels: string[]): boolean {
  return labels.length >= 1 && labels.length <= 2 && labels.every((l) => l.length >= 2 && l.length <= 3);
}

/** Looks a host up by itself and by each parent domain (`news.google.com` → `google.com`). */
export function sourceOfHost(host: string): ReferrerSource | undefined {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const hit = exact.get(labels.slice(i).join('.'));
    if (hit) return hit;
    const brand = anySuffix.get(labels[i]);
    if (brand && suffixLike(labels.slice(i + 1))) return brand;
  }
  return undefined;
}

/** `utm_source=google` or `utm_source=news.ycombinator.com`: a source named by the campaign, not the referrer. */
export function sourceOfName(name: string): ReferrerSource | undefined {
  const n = name.toLowerCase();
  return byName.get(n) ?? sourceOfHost(n) ?? (n.includes('.') ? undefined : sourceOfHost(`${n}.com`));
}
