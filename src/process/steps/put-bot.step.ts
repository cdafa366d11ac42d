import { isbot } from 'isbot';
import { LruCache } from '../lru-cache.ts';
import type { Step } from './step.ts';

/**
 * HTTP client libraries: events sent from a backend (the seed's curl, server-side SDKs) carry the library's agent,
 * not a person's browser. isbot counts them as bots; here they are servers, and their events count.
 */
const HTTP_LIBRARY =
  /^(curl|wget|httpie|python-requests|python-httpx|python-urllib|aiohttp|go-http-client|okhttp|axios|node-fetch|undici|node|got|java|apache-httpclient|libwww-perl|ruby|faraday|guzzlehttp|postmanruntime|insomnia|dart|restsharp|reqwest)\b/i;

export function isHttpLibrary(ua: string): boolean {
  return HTTP_LIBRARY.test(ua);
}

/**
 * Bots are kept but flagged (`is_bot`, `bot_reason`): stats exclude them, and nothing accepted is thrown away.
 * Reasons: `user-agent` (isbot's crawler patterns), `deny-list` (SIGHTLINE_BOT_USER_AGENTS), and
 * `referrer-spam` (set earlier by put-referrer, kept here).
 */
export function createBotStep(denyList: readonly string[]): Step {
  const denied = denyList.map((s) => s.toLowerCase()).filter(Boolean);
  // isbot runs one large regular expression; agents repeat, so the verdict is cached.
  const verdicts = new LruCache<string, string>(20_000);
  const reasonOf = (ua: string): string => {
    let reason = verdicts.get(ua);
    if (reason === undefined) {
      const lower = ua.toLowerCase();
      reason = denied.some((d) => lower.includes(d))
        ? 'deny-list'
        : isHttpLibrary(ua)
          ? ''
          : isbot(ua)
            ? 'user-agent'
            : '';
      verdicts.set(ua, reason);
    }
    return reason;
  };
  return {
    name: 'put-bot',
    run(row, _envelope, context) {
      const ua = context.ua;
      if (ua !== '') {
        let reason = reasonOf(ua);
        // isbot's generic patterns catch terse app agents such as tvOS's `AppleTV11,1/11.1`; a recognised TV or
        // console is a device people use, unless the operator's deny list says otherwise.
        if (reason === 'user-agent' && (row.device_type === 'tv' || row.device_type === 'console'))
          reason = '';
        if (reason !== '') {
          row.is_bot = true;
          row.bot_reason ||= reason;
        } else if (isHttpLibrary(ua)) {
          row.device_type = 'server';
        }
      }
      if (row.is_bot) row.device_type = 'bot';
    },
  };
}

export const putBot: Step = createBotStep([]);
