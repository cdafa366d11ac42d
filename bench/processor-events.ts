/**
 * A realistic mix of envelopes for the processor benchmark: browsers on every platform, a few bots, page URLs with
 * campaigns, referrers from search/social/sites, public IPs from several countries, single events and batches.
 */
import { encodeEnvelope } from '../src/contract/envelope.ts';
import type { LogRecord } from '../src/log/event-log.ts';

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
];
const IPS = [
  '8.8.8.8',
  '81.169.145.1',
  '151.101.1.69',
  '2a00:1450:4001:80b::200e',
  '195.154.1.1',
  '203.0.113.5',
  '1.1.1.1',
];
const PAGES = [
  '/',
  '/pricing',
  '/docs',
  '/docs/getting-started',
  '/blog/launch',
  '/signup',
  '/about',
  '/contact',
];
const REFERRERS = [
  '',
  '',
  '',
  'https://www.google.com/',
  'https://news.ycombinator.com/',
  'https://t.co/x',
  'https://partner.example.org/post',
];
const CAMPAIGNS = ['', '', '', '', '?utm_source=newsletter&utm_medium=email&utm_campaign=nov', '?gclid=abc'];

/** Deterministic so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function buildRecords(events: number, perRecord: number, seed = 1): LogRecord[] {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const records: LogRecord[] = [];
  for (let made = 0, offset = 0; made < events; offset++) {
    const n = Math.min(perRecord, events - made);
    const body = Array.from({ length: n }, () => {
      const signedIn = random() < 0.3;
      return {
        type: random() < 0.7 ? 'pageview' : pick(['click', 'signup', 'purchase']),
        ...(signedIn ? { user_id: `u${Math.floor(random() * 20_000)}` } : {}),
        url: `https://shop.example.com${pick(PAGES)}${pick(CAMPAIGNS)}`,
        referrer: pick(REFERRERS),
        // Events arrive roughly in time order over one day, a few seconds of jitter.
        timestamp: new Date(
          Date.UTC(2026, 10, 24) + Math.floor(((made + random() * 50) / events) * 86_400_000),
        ).toISOString(),
        details: { plan: pick(['free', 'pro', 'team']) },
      };
    });
    records.push({
      offset,
      value: encodeEnvelope(
        {
          v: 1,
          id: crypto.randomUUID(),
          receivedAt: Date.UTC(2026, 10, 24, 12),
          protocol: 'native',
          project: 'app',
          ip: pick(IPS),
          ua: pick(AGENTS),
          headers: {},
          count: n,
        },
        Buffer.from(JSON.stringify(n === 1 ? body[0] : body)),
      ),
    });
    made += n;
  }
  return records;
}
