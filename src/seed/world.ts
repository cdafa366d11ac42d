/**
 * The made-up business behind `sightline seed`: "Acme", a small analytics SaaS with a marketing site, docs, a blog,
 * a pricing page and a checkout. Everything here is plain data with relative weights; `tables.ts` turns it into
 * the lookup tables the generating SQL indexes, running the real enrichment code over it so seeded rows carry
 * exactly the values real events would (source names, channels, browser and OS names).
 */

export interface PageSpec {
  path: string;
  title: string;
  /** Weight as a page viewed inside a visit (0: only reached through the checkout funnel). */
  browse: number;
  /** Weight as the first page of a visit. */
  landing: number;
}

export interface SourceSpec {
  /** Referrer URL the browser would send; empty for direct and untagged newsletter traffic. */
  referrer: string;
  utm?: { source: string; medium: string; campaign: string; term?: string; content?: string };
  weight: number;
  /** Share of this source's desktop visits with one page view and nothing else. */
  bounce: number;
  /** How much likelier than average its visitors are to sign up. */
  intent: number;
}

export interface CountrySpec {
  code: string;
  weight: number;
  /** `navigator.language` of most visitors there; some browsers everywhere are set to en-US. */
  locale: string;
}

export interface AgentSpec {
  ua: string;
  weight: number;
}

const SITE = 'Acme';

function titled(path: string, name: string): string {
  return path === '/' ? `${SITE} — product analytics you own` : `${name} — ${SITE}`;
}

function words(slug: string): string {
  const text = slug.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Marketing pages in rough order of popularity; the funnel pages come last with no browse weight of their own. */
const CORE: Array<[string, string, number, number]> = [
  ['/', 'Home', 1, 1],
  ['/pricing', 'Pricing', 1, 0.5],
  ['/docs', 'Documentation', 1, 0.4],
  ['/features', 'Features', 1, 0.4],
  ['/blog', 'Blog', 1, 0.3],
  ['/signup', 'Sign up', 1, 0.2],
  ['/login', 'Log in', 1, 0.6],
  ['/integrations', 'Integrations', 1, 0.3],
  ['/features/dashboards', 'Dashboards', 1, 0.4],
  ['/features/funnels', 'Funnels', 1, 0.4],
  ['/customers', 'Customers', 1, 0.3],
  ['/changelog', 'Changelog', 1, 0.3],
  ['/features/retention', 'Retention', 1, 0.3],
  ['/about', 'About us', 1, 0.2],
  ['/compare/google-analytics', 'Acme vs Google Analytics', 1, 1.5],
  ['/features/alerts', 'Alerts', 1, 0.3],
  ['/compare/mixpanel', 'Acme vs Mixpanel', 1, 1.2],
  ['/security', 'Security', 1, 0.3],
  ['/contact', 'Contact', 1, 0.2],
  ['/compare/plausible', 'Acme vs Plausible', 1, 1],
  ['/download', 'Download', 1, 0.5],
  ['/careers', 'Careers', 1, 0.5],
  ['/status', 'Status', 1, 0.5],
  ['/privacy', 'Privacy policy', 1, 0.2],
  ['/terms', 'Terms of service', 1, 0.2],
];

const DOCS = [
  'getting-started',
  'installation',
  'tracker',
  'custom-events',
  'goals',
  'funnels',
  'self-hosting',
  'api',
  'api/stats',
  'api/events',
  'api/authentication',
  'dashboards',
  'filters',
  'retention',
  'user-profiles',
  'sessions',
  'bot-filtering',
  'privacy',
  'gdpr',
  'cookieless-tracking',
  'single-page-apps',
  'hash-routing',
  'outbound-links',
  'file-downloads',
  'proxying',
  'nginx',
  'caddy',
  'docker',
  'kubernetes',
  'kafka',
  'clickhouse',
  'grafana',
  'backups',
  'upgrading',
  'configuration',
  'environment-variables',
  'logs',
  'fluent-bit',
  'vector',
  'database-changes',
  'mysql-binlog',
  'segment-compatibility',
  'plausible-compatibility',
  'snowplow',
  'umami',
  'sdk/javascript',
  'sdk/python',
  'sdk/go',
  'sdk/ruby',
  'sdk/php',
  'share-links',
  'jwt-tokens',
  'multi-tenant',
  'troubleshooting',
  'faq',
  'funnels/windows',
  'goals/page-goals',
  'goals/event-goals',
  'api/funnels',
  'api/retention',
  'api/breakdowns',
  'api/timeseries',
  'api/realtime',
  'api/exports',
  'dashboards/sharing',
  'dashboards/embedding',
  'dashboards/custom-charts',
  'alerts',
  'webhooks',
];

const BLOG = [
  'introducing-acme',
  'why-we-left-google-analytics',
  'cookieless-analytics-explained',
  'how-we-count-unique-visitors',
  'clickhouse-for-product-analytics',
  'one-million-events-per-second',
  'funnels-that-do-not-lie',
  'bounce-rate-is-not-a-vanity-metric',
  'self-hosting-analytics-on-a-5-dollar-server',
  'gdpr-and-analytics',
  'the-case-for-first-party-data',
  'building-a-write-ahead-log',
  'kafka-or-not',
  'sessions-without-cookies',
  'what-is-a-good-conversion-rate',
  'utm-parameters-done-right',
  'tracking-single-page-apps',
  'open-source-analytics-compared',
  'retention-curves-for-beginners',
  'our-pricing-explained',
  'acme-2-0',
  'dark-mode-and-other-small-things',
  'bot-traffic-is-bigger-than-you-think',
  'referrer-spam-and-how-to-stop-it',
  'product-led-growth-metrics',
  'weekly-active-users',
  'north-star-metrics',
  'a-b-testing-without-a-data-team',
  'event-naming-conventions',
  'designing-a-tracking-plan',
  'grafana-dashboards-for-product-teams',
  'logs-and-events-in-one-place',
  'cdc-for-product-analytics',
  'postgres-vs-clickhouse-for-analytics',
  'how-we-handle-time-zones',
  'daylight-saving-time-bugs',
  'what-we-learned-from-hacker-news',
  'launch-week-recap',
  'year-in-review',
  'hiring-our-first-engineer',
  'remote-first-at-acme',
  'the-cost-of-third-party-scripts',
  'core-web-vitals-and-analytics',
  'ad-blockers-and-analytics',
  'server-side-tracking',
  'migrating-from-mixpanel',
  'migrating-from-universal-analytics',
  'ecommerce-analytics-basics',
  'saas-metrics-cheat-sheet',
  'privacy-friendly-marketing',
  'measuring-docs-engagement',
  'how-to-read-a-retention-chart',
  'cohorts-explained',
  'open-sourcing-our-tracker',
  'our-infrastructure-in-2025',
  'scaling-clickhouse-on-one-box',
  'the-tiny-tracker',
  'what-counts-as-a-visit',
  'attribution-is-hard',
  'first-touch-vs-last-touch',
  'dashboards-people-actually-read',
  'a-year-of-acme',
  'customer-story-northwind',
  'customer-story-globex',
];

const INTEGRATIONS = [
  'wordpress',
  'shopify',
  'nextjs',
  'nuxt',
  'gatsby',
  'hugo',
  'astro',
  'remix',
  'sveltekit',
  'webflow',
  'ghost',
  'docusaurus',
  'vercel',
  'netlify',
  'cloudflare',
  'segment',
  'slack',
  'zapier',
  'stripe',
  'hubspot',
  'bigquery',
  'snowflake',
  'google-search-console',
  'react-native',
  'flutter',
];

const CHANGELOG = [
  '2025-01',
  '2025-02',
  '2025-03',
  '2025-04',
  '2025-05',
  '2025-06',
  '2025-07',
  '2025-08',
  '2025-09',
  '2025-10',
  '2025-11',
  '2025-12',
  '2026-01',
  '2026-02',
  '2026-03',
];

/** Only reached through the funnel (see FUNNEL_TAIL): never browsed or landed on by chance. */
const FUNNEL_PAGES: Array<[string, string]> = [
  ['/checkout', 'Checkout'],
  ['/checkout/success', 'Thank you'],
];

/**
 * ~200 paths ranked by popularity; browse weights follow Zipf's law over the rank (weight 1/rank), which gives the
 * long tail every real site has. Landing weights tilt towards pages search engines send people to (blog, docs,
 * comparisons).
 */
export function pages(): PageSpec[] {
  const ranked: Array<{ path: string; title: string; landing: number }> = [];
  const core = CORE.map(([path, name, , landing]) => ({ path, title: titled(path, name), landing }));
  const docs = DOCS.map((d) => ({
    path: `/docs/${d}`,
    title: titled('', `${words(d)} · Docs`),
    landing: 1.3,
  }));
  const blog = BLOG.map((b) => ({ path: `/blog/${b}`, title: titled('', words(b)), landing: 2.5 }));
  const integrations = INTEGRATIONS.map((i) => ({
    path: `/integrations/${i}`,
    title: titled('', `${words(i)} integration`),
    landing: 1.5,
  }));
  const changelog = CHANGELOG.map((c) => ({
    path: `/changelog/${c}`,
    title: titled('', `Changelog ${c}`),
    landing: 0.4,
  }));
  // Interleave the groups so that every kind of page has some popular and some obscure members.
  const groups = [docs, blog, integrations, changelog];
  ranked.push(...core.slice(0, 6));
  let i = 0;
  let rest = core.slice(6);
  while (groups.some((g) => g.length > 0) || rest.length > 0) {
    if (rest.length > 0 && i % 3 === 0) {
      ranked.push(rest[0]);
      rest = rest.slice(1);
    }
    const group = groups[i % groups.length];
    const next = group.shift();
    if (next) ranked.push(next);
    i++;
  }
  const out: PageSpec[] = ranked.map((p, rank) => ({
    path: p.path,
    title: p.title,
    browse: 1 / (rank + 1),
    landing: p.landing / (rank + 1),
  }));
  for (const [path, name] of FUNNEL_PAGES)
    out.push({ path, title: titled(path, name), browse: 0, landing: 0 });
  return out;
}

/** Where visits come from; the stored source name and channel are derived by the real referrer step. */
export const SOURCES: SourceSpec[] = [
  { referrer: '', weight: 24, bounce: 0.42, intent: 1.3 },
  { referrer: 'https://www.google.com/', weight: 27, bounce: 0.47, intent: 1 },
  { referrer: 'https://www.google.de/', weight: 2, bounce: 0.47, intent: 1 },
  { referrer: 'https://www.google.co.uk/', weight: 1.8, bounce: 0.47, intent: 1 },
  { referrer: 'https://www.google.fr/', weight: 1, bounce: 0.48, intent: 1 },
  { referrer: 'https://www.bing.com/', weight: 3, bounce: 0.45, intent: 1 },
  { referrer: 'https://duckduckgo.com/', weight: 2.2, bounce: 0.44, intent: 1.1 },
  { referrer: 'https://www.ecosia.org/', weight: 0.4, bounce: 0.46, intent: 1 },
  { referrer: 'https://yandex.ru/', weight: 0.4, bounce: 0.55, intent: 0.6 },
  { referrer: 'https://chatgpt.com/', weight: 2.4, bounce: 0.38, intent: 1.4 },
  { referrer: 'https://www.perplexity.ai/', weight: 0.8, bounce: 0.4, intent: 1.3 },
  { referrer: 'https://t.co/', weight: 3, bounce: 0.62, intent: 0.6 },
  { referrer: 'https://l.facebook.com/', weight: 1.6, bounce: 0.66, intent: 0.5 },
  { referrer: 'https://www.linkedin.com/', weight: 1.9, bounce: 0.55, intent: 0.9 },
  { referrer: 'https://www.reddit.com/', weight: 2.2, bounce: 0.6, intent: 0.7 },
  { referrer: 'https://news.ycombinator.com/', weight: 2, bounce: 0.58, intent: 0.8 },
  { referrer: 'https://github.com/', weight: 3, bounce: 0.33, intent: 1.5 },
  { referrer: 'https://www.youtube.com/', weight: 0.8, bounce: 0.5, intent: 0.8 },
  { referrer: 'https://www.producthunt.com/', weight: 0.6, bounce: 0.5, intent: 1 },
  { referrer: 'https://dev.to/', weight: 0.8, bounce: 0.52, intent: 0.8 },
  { referrer: 'https://medium.com/', weight: 0.6, bounce: 0.55, intent: 0.7 },
  { referrer: 'https://app.slack.com/', weight: 0.5, bounce: 0.35, intent: 1.2 },
  { referrer: 'https://en.wikipedia.org/', weight: 0.3, bounce: 0.5, intent: 0.6 },
  { referrer: 'https://alternativeto.net/software/acme/about/', weight: 0.9, bounce: 0.4, intent: 1.3 },
  { referrer: 'https://www.g2.com/products/acme/reviews', weight: 0.6, bounce: 0.38, intent: 1.6 },
  { referrer: 'https://stackoverflow.com/questions/tagged/analytics', weight: 0.9, bounce: 0.5, intent: 0.8 },
  { referrer: 'https://indiehackers.com/post/acme', weight: 0.4, bounce: 0.5, intent: 1 },
  {
    referrer: '',
    utm: { source: 'newsletter', medium: 'email', campaign: 'weekly-digest' },
    weight: 2,
    bounce: 0.36,
    intent: 1.5,
  },
  {
    referrer: '',
    utm: { source: 'newsletter', medium: 'email', campaign: 'product-update', content: 'header-link' },
    weight: 1,
    bounce: 0.32,
    intent: 1.7,
  },
  {
    referrer: '',
    utm: { source: 'onboarding', medium: 'email', campaign: 'welcome-series', content: 'day-3' },
    weight: 0.6,
    bounce: 0.3,
    intent: 2,
  },
  {
    referrer: 'https://www.google.com/',
    utm: { source: 'google', medium: 'cpc', campaign: 'brand', term: 'acme analytics' },
    weight: 1.6,
    bounce: 0.4,
    intent: 1.6,
  },
  {
    referrer: 'https://www.google.com/',
    utm: { source: 'google', medium: 'cpc', campaign: 'generic', term: 'privacy friendly analytics' },
    weight: 1.8,
    bounce: 0.56,
    intent: 1.1,
  },
  {
    referrer: 'https://l.facebook.com/',
    utm: { source: 'facebook', medium: 'paid_social', campaign: 'retargeting-q3', content: 'carousel' },
    weight: 0.9,
    bounce: 0.64,
    intent: 0.9,
  },
  {
    referrer: 'https://t.co/',
    utm: { source: 'twitter', medium: 'social', campaign: 'launch-week' },
    weight: 0.7,
    bounce: 0.57,
    intent: 0.8,
  },
];

/** Sources a "front page" day sends a burst of visits from (indices into SOURCES, found by referrer). */
export const SPIKE_REFERRERS = [
  'https://news.ycombinator.com/',
  'https://www.reddit.com/',
  'https://t.co/',
  'https://www.producthunt.com/',
];

export const COUNTRIES: CountrySpec[] = [
  { code: 'US', weight: 28, locale: 'en-US' },
  { code: 'DE', weight: 7, locale: 'de-DE' },
  { code: 'GB', weight: 6, locale: 'en-GB' },
  { code: 'IN', weight: 6, locale: 'en-IN' },
  { code: 'FR', weight: 4, locale: 'fr-FR' },
  { code: 'CA', weight: 3.5, locale: 'en-CA' },
  { code: 'NL', weight: 2.5, locale: 'nl-NL' },
  { code: 'BR', weight: 2.5, locale: 'pt-BR' },
  { code: 'ES', weight: 2, locale: 'es-ES' },
  { code: 'IT', weight: 2, locale: 'it-IT' },
  { code: 'AU', weight: 2, locale: 'en-AU' },
  { code: 'PL', weight: 1.8, locale: 'pl-PL' },
  { code: 'JP', weight: 1.8, locale: 'ja-JP' },
  { code: 'SE', weight: 1.2, locale: 'sv-SE' },
  { code: 'RU', weight: 1.1, locale: 'ru-RU' },
  { code: 'CH', weight: 1, locale: 'de-CH' },
  { code: 'CN', weight: 1, locale: 'zh-CN' },
  { code: 'MX', weight: 1, locale: 'es-MX' },
  { code: 'UA', weight: 0.8, locale: 'uk-UA' },
  { code: 'AT', weight: 0.8, locale: 'de-AT' },
  { code: 'BE', weight: 0.8, locale: 'nl-BE' },
  { code: 'TR', weight: 0.8, locale: 'tr-TR' },
  { code: 'KR', weight: 0.8, locale: 'ko-KR' },
  { code: 'ID', weight: 0.8, locale: 'id-ID' },
  { code: 'SG', weight: 0.7, locale: 'en-SG' },
  { code: 'DK', weight: 0.6, locale: 'da-DK' },
  { code: 'NO', weight: 0.6, locale: 'nb-NO' },
  { code: 'IE', weight: 0.6, locale: 'en-IE' },
  { code: 'PT', weight: 0.6, locale: 'pt-PT' },
  { code: 'CZ', weight: 0.6, locale: 'cs-CZ' },
  { code: 'IL', weight: 0.6, locale: 'he-IL' },
  { code: 'AR', weight: 0.6, locale: 'es-AR' },
  { code: 'VN', weight: 0.6, locale: 'vi-VN' },
  { code: 'FI', weight: 0.5, locale: 'fi-FI' },
  { code: 'CO', weight: 0.5, locale: 'es-CO' },
  { code: 'PH', weight: 0.5, locale: 'en-PH' },
  { code: 'NG', weight: 0.5, locale: 'en-NG' },
  { code: 'ZA', weight: 0.5, locale: 'en-ZA' },
  { code: 'RO', weight: 0.5, locale: 'ro-RO' },
  { code: 'NZ', weight: 0.4, locale: 'en-NZ' },
  { code: 'GR', weight: 0.4, locale: 'el-GR' },
  { code: 'EG', weight: 0.3, locale: 'ar-EG' },
];

/** Share of non-US visitors whose browser is set to en-US anyway. */
export const ENGLISH_BROWSER_SHARE = 0.18;

const CHROME = (v: number) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const MAC_CHROME = (v: number) =>
  `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const IPHONE = (ios: string, safari: string) =>
  `Mozilla/5.0 (iPhone; CPU iPhone OS ${ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${safari} Mobile/15E148 Safari/604.1`;
const ANDROID = (android: number, model: string, v: number) =>
  `Mozilla/5.0 (Linux; Android ${android}; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Mobile Safari/537.36`;

/** Browsers as a mid-2020s site sees them: iPhones run Safari, Android phones Chrome, desktops mostly Chrome. */
export const AGENTS: AgentSpec[] = [
  { ua: CHROME(138), weight: 15 },
  { ua: CHROME(137), weight: 5 },
  { ua: CHROME(136), weight: 2 },
  { ua: `${CHROME(138)} Edg/138.0.0.0`, weight: 5 },
  { ua: `${CHROME(137)} Edg/137.0.0.0`, weight: 1 },
  {
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
    weight: 3,
  },
  { ua: `${CHROME(137)} OPR/121.0.0.0`, weight: 0.8 },
  { ua: MAC_CHROME(138), weight: 7 },
  { ua: MAC_CHROME(137), weight: 2 },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15',
    weight: 5,
  },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
    weight: 1,
  },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:140.0) Gecko/20100101 Firefox/140.0',
    weight: 1.2,
  },
  {
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36',
    weight: 1.8,
  },
  { ua: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0', weight: 1.3 },
  {
    ua: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36',
    weight: 0.6,
  },
  { ua: IPHONE('18_5', '18.5'), weight: 11 },
  { ua: IPHONE('18_6', '18.6'), weight: 3 },
  { ua: IPHONE('17_6_1', '17.6'), weight: 2.5 },
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/138.0.7204.119 Mobile/15E148 Safari/604.1',
    weight: 1.5,
  },
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/520.0.0.38.101;FBBV/123;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/18.5;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]',
    weight: 0.5,
  },
  { ua: ANDROID(10, 'K', 138), weight: 7 },
  { ua: ANDROID(10, 'K', 137), weight: 2 },
  { ua: ANDROID(14, 'SM-S921B', 138), weight: 2 },
  { ua: ANDROID(14, 'Pixel 8', 138), weight: 1.2 },
  {
    ua: 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36',
    weight: 1.6,
  },
  { ua: 'Mozilla/5.0 (Android 14; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0', weight: 0.5 },
  {
    ua: 'Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
    weight: 2,
  },
  {
    ua: 'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36',
    weight: 0.7,
  },
];

/** Visits starting in each local hour (0–23): a night low, a morning climb, an afternoon peak, a quieter evening. */
export const HOURS_WEEKDAY = [
  1.6, 1.1, 0.8, 0.7, 0.8, 1.2, 2.2, 3.8, 5.6, 6.8, 7.2, 7.3, 7.0, 7.4, 7.8, 7.6, 7.0, 6.0, 5.0, 4.6, 4.4,
  4.0, 3.2, 2.3,
];
/** Weekends start later and stay flatter. */
export const HOURS_WEEKEND = [
  2.0, 1.5, 1.1, 0.9, 0.8, 0.9, 1.3, 2.0, 3.0, 4.2, 5.2, 5.8, 6.0, 6.0, 5.9, 5.8, 5.7, 5.5, 5.3, 5.2, 5.0,
  4.6, 3.8, 2.8,
];

/** Visits per weekday relative to an average day, Monday first. */
export const WEEKDAY_FACTORS = [1.06, 1.09, 1.07, 1.04, 0.95, 0.62, 0.66];

/** Traffic a year later, relative to today's (a growing product). */
export const YEARLY_GROWTH = 1.8;

/** A day's traffic wobbles around its expected value by this much (standard deviation, relative). */
export const DAILY_NOISE = 0.07;

/** About one day in this many is a "front page" day with a burst from one source. */
export const SPIKE_EVERY_DAYS = 40;

/** A visit's visitor was here before, with this probability; the gap to the earlier visit averages this many days. */
export const RETURNING_SHARE = 0.32;
export const RETURN_GAP_DAYS = 6;
/** Among returning visits, this share belongs to the few loyal visitors (1 in LOYAL_EVERY) who come back often. */
export const LOYAL_SHARE = 0.45;
export const LOYAL_EVERY = 16;

/** Bounce is likelier on phones. */
export const MOBILE_EXTRA_BOUNCE = 0.08;

/** Pages after the first in a visit that did not bounce: 1 + geometric with this continuation probability. */
export const MORE_PAGES = 0.62;
export const MAX_PAGES = 30;

/** Seconds between two steps of a visit, spread between these bounds (most visits are quick). */
export const STEP_SECONDS = { min: 6, max: 150 };

/**
 * The checkout funnel: a visit that signs up may go on to choose a plan, check out and pay. Each entry is the
 * probability of reaching the step given the previous one; signing up itself is SIGNUP_RATE × the source's intent.
 */
export const SIGNUP_RATE = 0.075;
export const FUNNEL_CONTINUE = [0.55, 0.62, 0.78];

/** The events of the funnel, in order, each a page view followed by the step's event on that page. */
export const FUNNEL_TAIL: Array<{ type: string; path: string }> = [
  { type: 'pageview', path: '/signup' },
  { type: 'signup', path: '/signup' },
  { type: 'pageview', path: '/pricing' },
  { type: 'add_to_cart', path: '/pricing' },
  { type: 'pageview', path: '/checkout' },
  { type: 'checkout', path: '/checkout' },
  { type: 'purchase', path: '/checkout' },
  { type: 'pageview', path: '/checkout/success' },
];
/** Events of FUNNEL_TAIL a visit that reached step 0…4 has. */
export const FUNNEL_TAIL_LENGTH = [0, 2, 4, 6, 8];

export const PLANS: Array<{ name: string; weight: number; monthly: number; yearly: number }> = [
  { name: 'starter', weight: 5, monthly: 9, yearly: 90 },
  { name: 'pro', weight: 3, monthly: 29, yearly: 290 },
  { name: 'team', weight: 1, monthly: 99, yearly: 990 },
];
export const YEARLY_BILLING_SHARE = 0.3;
export const SIGNUP_METHODS: Array<{ name: string; weight: number }> = [
  { name: 'email', weight: 5 },
  { name: 'google', weight: 3 },
  { name: 'github', weight: 2 },
];

/** Other events of visits that did not bounce: outbound link clicks and downloads (tracker attributes). */
export const OUTBOUND_SHARE = 0.06;
export const DOWNLOAD_SHARE = 0.03;
export const OUTBOUND_URLS = [
  'https://github.com/acme/acme',
  'https://twitter.com/acme',
  'https://www.linkedin.com/company/acme',
  'https://discord.gg/acme',
];
export const DOWNLOAD_URLS = [
  '/downloads/acme-2.4.1.dmg',
  '/downloads/acme-2.4.1.exe',
  '/downloads/acme-whitepaper.pdf',
];

/** Server logs per event, and database changes per event (both at least a few a day). */
export const LOGS_PER_EVENT = 0.02;
export const DB_CHANGES_PER_EVENT = 0.002;
/** About one day in this many has an incident: a burst of 5xx answers and error logs. */
export const INCIDENT_EVERY_DAYS = 60;
