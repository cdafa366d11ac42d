/**
 * The made-up world (`world.ts`, `site-pages.ts`, `traffic-sources.ts`, `user-agents.ts`) as the pick tables
 * (`pick-tables.ts`) the generating SQL indexes. Source names, channels, browsers and operating systems come from running Sightline's own
 * enrichment over the made-up referrers and user agents, so seeded rows hold exactly what real events would.
 */
import type { Envelope } from '../contract/envelope.ts';
import { blankRow } from '../process/event-row.ts';
import { putReferrer } from '../process/steps/put-referrer.step.ts';
import { parseAgent } from '../process/steps/put-user-agent.step.ts';
import {
  dayClock,
  exponentialTable,
  PAGE_BITS,
  PICK,
  shares,
  threshold,
  weightedTable,
} from './pick-tables.ts';
import { pages } from './site-pages.ts';
import { COUNTRIES, ENGLISH_BROWSER_SHARE, SOURCES, SPIKE_REFERRERS } from './traffic-sources.ts';
import { AGENTS } from './user-agents.ts';
import {
  DOWNLOAD_SHARE,
  FUNNEL_CONTINUE,
  FUNNEL_TAIL,
  FUNNEL_TAIL_LENGTH,
  HOURS_WEEKDAY,
  HOURS_WEEKEND,
  LOYAL_EVERY,
  LOYAL_SHARE,
  MAX_PAGES,
  MOBILE_EXTRA_BOUNCE,
  MORE_PAGES,
  OUTBOUND_SHARE,
  PLANS,
  RETURN_GAP_DAYS,
  RETURNING_SHARE,
  SIGNED_IN_SHARE,
  SIGNUP_METHODS,
  SIGNUP_RATE,
  STEP_SECONDS,
  YEARLY_BILLING_SHARE,
} from './world.ts';

export interface Source {
  referrer: string;
  referrerSource: string;
  channel: string;
  utmSource: string;
  utmMedium: string;
  utmCampaign: string;
  utmTerm: string;
  utmContent: string;
}

export interface Agent {
  ua: string;
  browser: string;
  browserVersion: string;
  os: string;
  osVersion: string;
  deviceType: string;
  deviceVendor: string;
  deviceModel: string;
}

export interface SeedTables {
  host: string;
  paths: string[];
  titles: string[];
  /** 1-based page indices, 2^PAGE_BITS entries. */
  browse: number[];
  landing: number[];
  sources: Source[];
  /** Acquisition columns of events after the first page of a visit: the referrer is the site itself. */
  internal: Source;
  sourcePick: number[];
  bounceDesktop: number[];
  bounceMobile: number[];
  signup: number[];
  funnelContinue: number[];
  tailTypes: string[];
  tailPages: number[];
  tailLength: number[];
  countries: string[];
  locales: string[];
  countryPick: number[];
  usIndex: number;
  englishThreshold: number;
  agents: Agent[];
  agentMobile: number[];
  agentPick: number[];
  hoursWeekday: number[];
  hoursWeekend: number[];
  /** Milliseconds into the day at each 4096th of its visits (4097 entries): the daily curve's quantiles. */
  clockWeekday: number[];
  clockWeekend: number[];
  /** Extra pages of a visit that did not bounce, beyond its second. */
  morePages: number[];
  /** Milliseconds between two steps of a visit. */
  stepMs: number[];
  /** 0 none, 1 outbound click, 2 download. */
  extraPick: number[];
  plans: string[];
  planMonthly: number[];
  planYearly: number[];
  planPick: number[];
  yearlyThreshold: number;
  methods: string[];
  methodPick: number[];
  returningThreshold: number;
  /** Visitors signed in (with a user id, so a profile): `hv` bits below this. */
  signedInThreshold: number;
  loyalThreshold: number;
  loyalEvery: number;
  spikeSources: number[];
  /** Expected events of a visit, over the usual mix of sources, and of a visit from each source. */
  eventsPerVisit: number;
  eventsPerVisitBySource: number[];
}

function enrichSource(
  host: string,
  referrer: string,
  utm: Partial<Record<'source' | 'medium' | 'campaign' | 'term' | 'content', string>>,
  stripParams: readonly string[],
): Source {
  const row = blankRow();
  row.host = host;
  row.referrer = referrer;
  row.utm_source = utm.source ?? '';
  row.utm_medium = utm.medium ?? '';
  row.utm_campaign = utm.campaign ?? '';
  row.utm_term = utm.term ?? '';
  row.utm_content = utm.content ?? '';
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(utm)) if (v) query.set(`utm_${k}`, v);
  const pageUrl = `https://${host}/${query.size > 0 ? `?${query}` : ''}`;
  // The referrer step reads neither the envelope nor the client address: only the row and the page URL.
  putReferrer({ stripParams }).run(row, {} as Envelope, { pageUrl, ip: '', ua: '', anonymousId: '' });
  return {
    referrer: row.referrer,
    referrerSource: row.referrer_source,
    channel: row.channel,
    utmSource: row.utm_source,
    utmMedium: row.utm_medium,
    utmCampaign: row.utm_campaign,
    utmTerm: row.utm_term,
    utmContent: row.utm_content,
  };
}

export function buildTables(options: { host: string; stripParams: readonly string[] }): SeedTables {
  const pageSpecs = pages();
  const paths = pageSpecs.map((p) => p.path);
  const pageIndex = (path: string) => {
    const i = paths.indexOf(path);
    if (i < 0) throw new Error(`seed world: funnel page ${path} is not a page`);
    return i + 1;
  };
  const sources = SOURCES.map((s) =>
    enrichSource(options.host, s.referrer, s.utm ?? {}, options.stripParams),
  );
  const internal = enrichSource(options.host, `https://${options.host}/`, {}, options.stripParams);
  const agents = AGENTS.map((a) => {
    const p = parseAgent(a.ua);
    return {
      ua: a.ua,
      browser: p.browser,
      browserVersion: p.browser_version,
      os: p.os,
      osVersion: p.os_version,
      deviceType: p.device_type,
      deviceVendor: p.device_vendor,
      deviceModel: p.device_model,
    };
  });
  const agentPick = weightedTable(AGENTS.map((a) => a.weight));
  const agentMobile = agents.map((a) => (a.deviceType === 'mobile' ? 1 : 0));
  const sourcePick = weightedTable(SOURCES.map((s) => s.weight));
  const bounceDesktop = SOURCES.map((s) => threshold(s.bounce));
  const bounceMobile = SOURCES.map((s) => threshold(s.bounce + MOBILE_EXTRA_BOUNCE));
  const signup = SOURCES.map((s) => threshold(SIGNUP_RATE * s.intent));
  const funnelContinue = FUNNEL_CONTINUE.map(threshold);
  const morePagesWeights = Array.from(
    { length: MAX_PAGES - 1 },
    (_, g) => (1 - MORE_PAGES) * MORE_PAGES ** g,
  );
  // 1-based table entries stand for 0, 1, 2 … extra pages.
  const morePages = weightedTable(morePagesWeights).map((i) => i - 1);
  const extraPick = weightedTable([1 - OUTBOUND_SHARE - DOWNLOAD_SHARE, OUTBOUND_SHARE, DOWNLOAD_SHARE]).map(
    (i) => i - 1,
  );
  const stepMs = Array.from({ length: PICK }, (_, i) => {
    const u = (i + 0.5) / PICK;
    return Math.round((STEP_SECONDS.min + (STEP_SECONDS.max - STEP_SECONDS.min) * u * u) * 1000);
  });

  // Expected events of one visit, from the very tables the SQL picks from.
  const mobileShare = shares(agentPick, agents.length).reduce((sum, p, i) => sum + p * agentMobile[i], 0);
  const meanMore = morePages.reduce((a, b) => a + b, 0) / morePages.length;
  const extraShare = extraPick.filter((x) => x > 0).length / extraPick.length;
  const eventsPerVisitBySource = SOURCES.map((_, s) => {
    const reach = [signup[s] / PICK, ...funnelContinue.map((t) => t / PICK)];
    let tail = 0;
    let p = 1;
    for (let step = 1; step <= 4; step++) {
      const pStep = p * reach[step - 1];
      tail += (pStep - pStep * (step < 4 ? reach[step] : 0)) * FUNNEL_TAIL_LENGTH[step];
      p = pStep;
    }
    const visit = (bounceThreshold: number) => {
      const b = bounceThreshold / PICK;
      return b + (1 - b) * (2 + meanMore + tail + extraShare);
    };
    return (1 - mobileShare) * visit(bounceDesktop[s]) + mobileShare * visit(bounceMobile[s]);
  });
  const sourceShares = shares(sourcePick, SOURCES.length);
  const eventsPerVisit = sourceShares.reduce((sum, p, s) => sum + p * eventsPerVisitBySource[s], 0);

  const usIndex = COUNTRIES.findIndex((c) => c.code === 'US') + 1;
  const spikeSources = SPIKE_REFERRERS.map((r) => {
    const i = SOURCES.findIndex((s) => s.referrer === r && !s.utm);
    if (i < 0) throw new Error(`seed world: spike referrer ${r} is not a source`);
    return i + 1;
  });

  return {
    host: options.host,
    paths,
    titles: pageSpecs.map((p) => p.title),
    browse: weightedTable(
      pageSpecs.map((p) => p.browse),
      1 << PAGE_BITS,
    ),
    landing: weightedTable(
      pageSpecs.map((p) => p.landing),
      1 << PAGE_BITS,
    ),
    sources,
    internal,
    sourcePick,
    bounceDesktop,
    bounceMobile,
    signup,
    funnelContinue,
    tailTypes: FUNNEL_TAIL.map((t) => t.type),
    tailPages: FUNNEL_TAIL.map((t) => pageIndex(t.path)),
    tailLength: FUNNEL_TAIL_LENGTH,
    countries: COUNTRIES.map((c) => c.code),
    locales: COUNTRIES.map((c) => c.locale),
    countryPick: weightedTable(COUNTRIES.map((c) => c.weight)),
    usIndex,
    englishThreshold: threshold(ENGLISH_BROWSER_SHARE),
    agents,
    agentMobile,
    agentPick,
    hoursWeekday: weightedTable(HOURS_WEEKDAY).map((i) => i - 1),
    hoursWeekend: weightedTable(HOURS_WEEKEND).map((i) => i - 1),
    clockWeekday: dayClock(HOURS_WEEKDAY),
    clockWeekend: dayClock(HOURS_WEEKEND),
    morePages,
    stepMs,
    extraPick,
    plans: PLANS.map((p) => p.name),
    planMonthly: PLANS.map((p) => p.monthly),
    planYearly: PLANS.map((p) => p.yearly),
    planPick: weightedTable(
      PLANS.map((p) => p.weight),
      256,
    ),
    yearlyThreshold: threshold(YEARLY_BILLING_SHARE),
    methods: SIGNUP_METHODS.map((m) => m.name),
    methodPick: weightedTable(
      SIGNUP_METHODS.map((m) => m.weight),
      256,
    ),
    returningThreshold: threshold(RETURNING_SHARE),
    signedInThreshold: threshold(SIGNED_IN_SHARE),
    loyalThreshold: Math.round(LOYAL_SHARE * 256),
    loyalEvery: LOYAL_EVERY,
    spikeSources,
    eventsPerVisit,
    eventsPerVisitBySource,
  };
}

/** Gaps between a returning visitor's visits, counted in visits (the SQL numbers visits, not days). */
export function returnGapTable(visitsPerDay: number): number[] {
  return exponentialTable(Math.max(1, RETURN_GAP_DAYS * visitsPerDay));
}
