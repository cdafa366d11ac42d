/**
 * Realistic visits sent through the real collector (native protocol, one batch per visit, each visitor with its
 * own IP and browser), so the processor's enrichment (geo, device, channel, sessions) runs as in production.
 */
import { prng } from './prng.ts';

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
];
/** Addresses the bundled country database knows (US, DE, FR, GB, JP, BR). */
const IPS = ['8.8.8.8', '81.169.145.1', '212.27.48.10', '151.101.0.81', '133.242.0.1', '200.160.2.3'];
const REFERRERS = [
  '',
  '',
  'https://www.google.com/',
  'https://news.ycombinator.com/',
  'https://github.com/',
  'https://twitter.com/',
];
const PAGES = ['/', '/pricing', '/docs', '/docs/install', '/blog/launch', '/blog/self-hosting', '/about'];

export interface DemoOptions {
  url: string;
  project: string;
  visits: number;
  /** Visits are spread over the last `days` days (timestamps in the past, ending now). */
  days: number;
  seed?: number;
}

/** Sends the visits; resolves with the number of events accepted. */
export async function sendDemoTraffic(options: DemoOptions): Promise<number> {
  const rand = prng(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const now = Date.now();
  let sent = 0;
  for (let v = 0; v < options.visits; v++) {
    const visitor = Math.floor(rand() * options.visits * 0.7);
    const user = rand() < 0.4 ? `user-${visitor}` : undefined;
    let t = now - Math.floor(rand() * options.days * 86_400_000) - 3_600_000;
    const session = `visit-${options.seed ?? 1}-${v}`;
    const referrer = pick(REFERRERS);
    const campaign = rand() < 0.15 ? '?utm_source=newsletter&utm_medium=email&utm_campaign=launch' : '';
    const events: object[] = [];
    const pageview = (path: string, first: boolean) => {
      events.push({
        type: 'pageview',
        session_id: session,
        ...(user ? { user_id: user } : {}),
        timestamp: new Date(t).toISOString(),
        url: `https://shop.example${path}${first ? campaign : ''}`,
        path,
        referrer: first ? referrer : '',
      });
      t += 20_000 + Math.floor(rand() * 180_000);
    };
    pageview(rand() < 0.5 ? '/' : pick(PAGES), true);
    const more = Math.floor(rand() * 4);
    for (let i = 0; i < more; i++) pageview(pick(PAGES), false);
    if (rand() < 0.35) {
      pageview('/pricing', false);
      if (rand() < 0.5) {
        events.push({
          type: 'signup',
          session_id: session,
          ...(user ? { user_id: user } : {}),
          timestamp: new Date(t).toISOString(),
          path: '/pricing',
          details: { plan: rand() < 0.5 ? 'pro' : 'basic' },
        });
        t += 30_000;
      }
    }
    const res = await fetch(`${options.url}/e`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-app': options.project,
        'x-forwarded-for': IPS[visitor % IPS.length],
        'user-agent': AGENTS[visitor % AGENTS.length],
      },
      body: JSON.stringify(events),
    });
    if (res.status !== 202) throw new Error(`demo traffic refused: ${res.status} ${await res.text()}`);
    sent += events.length;
  }
  return sent;
}
