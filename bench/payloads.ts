/**
 * Pre-built HTTP requests for the load generator. Bodies vary `user_id` and `session_id` so the server sees
 * many users and sessions, yet are built once up front: the generator must not spend its CPU on JSON.
 */

/** The event of the brief; only `user_id` and `session_id` change between events. */
export function benchEvent(n: number): Record<string, unknown> {
  return {
    type: 'click',
    user_id: String((n % 5000) + 1),
    session_id: sessionId(n % 20_000),
    timestamp: '2024-04-17T04:04:12',
    locale: 'en',
    path: '/getting-started',
    appVersion: '0.0.1',
    details: { meta_a: 'meta_a', meta_b: 'meta_b' },
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Six characters like the brief's `FaAa31`, distinct for distinct `n` (below 62^6). */
function sessionId(n: number): string {
  let out = '';
  let rest = n + 1_000_000;
  for (let i = 0; i < 6; i++) {
    out = ALPHABET[rest % ALPHABET.length] + out;
    rest = Math.floor(rest / ALPHABET.length);
  }
  return out;
}

/** A browser user agent: a bot-looking one could be filtered by the server and never reach the store. */
const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

function request(url: URL, body: string): Buffer {
  const payload = Buffer.from(body);
  const head =
    `POST ${url.pathname}${url.search} HTTP/1.1\r\n` +
    `Host: ${url.host}\r\n` +
    'X-App: app\r\n' +
    'Content-Type: application/json\r\n' +
    `User-Agent: ${USER_AGENT}\r\n` +
    `Content-Length: ${payload.length}\r\n` +
    'Connection: keep-alive\r\n\r\n';
  return Buffer.concat([Buffer.from(head), payload]);
}

/**
 * `count` distinct requests, each with `batchSize` events: one object when `batchSize` is 1, else an array.
 * Event numbers continue across requests, so every request of the pool carries different users/sessions.
 */
export function buildRequests(url: URL, batchSize: number, count: number): Buffer[] {
  const out: Buffer[] = [];
  let n = 0;
  for (let r = 0; r < count; r++) {
    if (batchSize === 1) {
      out.push(request(url, JSON.stringify(benchEvent(n++))));
    } else {
      const events: Record<string, unknown>[] = [];
      for (let i = 0; i < batchSize; i++) events.push(benchEvent(n++));
      out.push(request(url, JSON.stringify(events)));
    }
  }
  return out;
}
