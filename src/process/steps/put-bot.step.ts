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

/** isbot runs one large regular expression; agents repeat, so the verdict is cached. */
const verdicts = new LruCache<string, boolean>(20_000);

function isBotAgent(ua: string): boolean {
  let verdict = verdicts.get(ua);
  if (verdict === undefined) {
    verdict = isbot(ua);
    verdicts.set(ua, verdict);
  }
  return verdict;
}

/** Bots are kept but flagged: stats exclude them, and nothing accepted is thrown away. */
export const putBot: Step = {
  name: 'put-bot',
  run(row, envelope) {
    const ua = envelope.ua;
    if (ua === '') return;
    if (isHttpLibrary(ua)) {
      row.device_type = 'server';
      row.is_bot = false;
      return;
    }
    row.is_bot = isBotAgent(ua);
    if (row.is_bot) row.device_type = 'bot';
  },
};
