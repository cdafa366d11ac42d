/** Where the made-up site's visitors come from: referrers and campaigns, and countries with their browser locale. */

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
