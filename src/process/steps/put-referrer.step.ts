/**
 * Referrer → host, source name and channel. A referral from the page's own host is internal navigation: it is
 * cleared and counts as direct. A referrer on the spam list flags the event (kept, but out of the stats).
 * Configured query parameters (tokens, e-mails, passwords …) are removed from the
 * stored referrer URL.
 */
import { sourceOfHost, sourceOfName } from '../enrich/referrer-sources.ts';
import { isSpamHost } from '../enrich/referrer-spam.ts';
import type { Step } from './step.ts';

export interface ReferrerOptions {
  /** Query parameters removed from stored URLs (lower-case names). */
  stripParams: readonly string[];
}

const PAID_MEDIUM = /^(cpc|ppc|cpm|cpv|cpa|paid.*|display|banner|retargeting|affiliate|ads?)$/;
const EMAIL_MEDIUM = /^(e[-_ ]?mail|newsletter)$/;
const SOCIAL_MEDIUM = /^(social|social[-_ ]network|social[-_ ]media|sm)$/;
const CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'msclkid', 'fbclid', 'ttclid', 'twclid', 'li_fat_id'];

function stripParams(url: URL, names: readonly string[]): string {
  for (const key of [...url.searchParams.keys()])
    if (names.includes(key.toLowerCase())) url.searchParams.delete(key);
  return url.toString();
}

function bareHost(host: string): string {
  return host.toLowerCase().replace(/^www\./, '');
}

export function putReferrer(options: ReferrerOptions): Step {
  return {
    name: 'put-referrer',
    run(row, _envelope, context) {
      let medium = '';
      if (row.referrer !== '') {
        let ref: URL | undefined;
        try {
          ref = new URL(
            /^[a-z][a-z0-9+.-]*:\/\//i.test(row.referrer) ? row.referrer : `https://${row.referrer}`,
          );
        } catch {
          ref = undefined;
        }
        if (!ref || ref.hostname === '') {
          row.referrer = '';
        } else if (row.host !== '' && bareHost(ref.hostname) === bareHost(row.host)) {
          row.referrer = '';
        } else {
          row.referrer = stripParams(ref, options.stripParams).slice(0, 4096);
          if (isSpamHost(ref.hostname)) {
            row.is_bot = true;
            row.bot_reason = 'referrer-spam';
          }
          const known = sourceOfHost(ref.hostname);
          row.referrer_source = known?.name ?? bareHost(ref.hostname);
          medium = known?.medium ?? 'referral';
        }
      }
      row.channel = channelOf(row.utm_medium.toLowerCase(), row.utm_source, medium, context.pageUrl);
      if (row.referrer_source === '' && row.utm_source !== '')
        row.referrer_source = sourceOfName(row.utm_source)?.name ?? row.utm_source;
    },
  };
}

function hasClickId(pageUrl: string): boolean {
  if (!pageUrl.includes('?')) return false;
  try {
    const params = new URL(pageUrl).searchParams;
    return CLICK_IDS.some((id) => params.has(id));
  } catch {
    return false;
  }
}

/** Campaign parameters win over the referrer; a click id of an ad network means paid. */
export function channelOf(
  utmMedium: string,
  utmSource: string,
  referrerMedium: string,
  pageUrl: string,
): string {
  if (PAID_MEDIUM.test(utmMedium) || hasClickId(pageUrl)) return 'paid';
  if (EMAIL_MEDIUM.test(utmMedium)) return 'email';
  if (SOCIAL_MEDIUM.test(utmMedium)) return 'organic social';
  if (utmMedium === 'organic') return 'organic search';
  const medium = referrerMedium || (utmSource ? (sourceOfName(utmSource)?.medium ?? 'referral') : '');
  switch (medium) {
    case 'search':
      return 'organic search';
    case 'social':
      return 'organic social';
    case 'email':
      return 'email';
    case 'referral':
      return 'referral';
    default:
      return 'direct';
  }
}
