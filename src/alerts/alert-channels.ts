/** Where a rule's notifications go, as written in a rule: `{type: "webhook", url}` or `{type: "email", to}`. */

export type Channel = { type: 'webhook'; url: string } | { type: 'email'; to: string[] };

/** An e-mail address as alerts and reports take it (also the `pattern` of their JSON Schemas). */
export const EMAIL = /^[^\s@<>,;"]+@[A-Za-z0-9.-]+$/;

export const isEmail = (s: unknown): s is string => typeof s === 'string' && EMAIL.test(s);

export function isHttpUrl(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  try {
    const url = new URL(s);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A string or a list of strings as a list. */
export function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

export function channelOf(raw: unknown, at: string, problems: string[]): Channel | undefined {
  const c = (raw ?? {}) as Record<string, unknown>;
  if (c.type === 'webhook') {
    if (isHttpUrl(c.url)) return { type: 'webhook', url: c.url };
    problems.push(`${at}.url: a webhook needs an http(s) URL, e.g. "https://hooks.example.com/sightline"`);
    return undefined;
  }
  if (c.type === 'email') {
    const to = strings(c.to);
    const bad = to?.filter((a) => !isEmail(a)) ?? [];
    if (to && to.length > 0 && bad.length === 0) return { type: 'email', to };
    problems.push(
      `${at}.to: ${bad.length ? `${bad.map((b) => JSON.stringify(b)).join(', ')} is not an e-mail address` : 'needs one or more addresses'}, e.g. ["ops@example.com"]`,
    );
    return undefined;
  }
  problems.push(`${at}.type: must be "webhook" (with url) or "email" (with to)`);
  return undefined;
}
