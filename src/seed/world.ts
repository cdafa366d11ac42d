/**
 * The made-up business behind `sightline seed`: "Acme", a small analytics SaaS with a marketing site, docs, a blog,
 * a pricing page and a checkout. Its pages are in `site-pages.ts`, its visitors' origins in `traffic-sources.ts` and
 * their browsers in `user-agents.ts`; this module holds how they behave — daily and weekly rhythm, growth, returns,
 * bounces, the funnel, plans and side tables. Everything is plain data with relative weights; `tables.ts` turns it
 * into the lookup tables the generating SQL indexes, running the real enrichment code over it so seeded rows carry
 * exactly the values real events would (source names, channels, browser and OS names).
 */

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
/**
 * Visitors the site knows by a user id (signed in to the app: customers, trial users); the others are anonymous, as
 * most visitors of a marketing site and docs are. Only signed-in visitors get a profile (`user_profiles`).
 */
export const SIGNED_IN_SHARE = 0.12;
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
