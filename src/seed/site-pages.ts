/**
 * The pages of the made-up "Acme" site behind `sightline seed`: marketing pages, docs, blog, integrations and
 * changelog, ranked by popularity, with the funnel's checkout pages last.
 */

export interface PageSpec {
  path: string;
  title: string;
  /** Weight as a page viewed inside a visit (0: only reached through the checkout funnel). */
  browse: number;
  /** Weight as the first page of a visit. */
  landing: number;
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
