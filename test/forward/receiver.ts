/** A plain node:http receiver for forwarding tests: records every request and answers as its `answer` says. */
import http from 'node:http';

export type Answer = { status: number; delayMs?: number; headers?: Record<string, string> } | 'hang';

export interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
  /** The status it was answered with, or 'hang' (never answered: the sender timed out). */
  answer: number | 'hang';
}

export class Receiver {
  readonly requests: Received[] = [];
  answer: (n: number) => Answer = () => ({ status: 200 });
  #server: http.Server | undefined;

  /** Starts listening on `port`; resolves once it does. */
  async listen(port: number): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.answer(this.requests.length);
        const received: Received = {
          body: Buffer.concat(chunks).toString('utf8'),
          headers: req.headers,
          answer: answer === 'hang' ? 'hang' : answer.status,
        };
        this.requests.push(received);
        if (answer === 'hang') return;
        setTimeout(() => {
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(answer.status < 300 ? '{"ok":true}' : '{"error":"try again"}');
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  /** Requests that were answered with a 2xx: what the destination took. */
  accepted(): Received[] {
    return this.requests.filter((r) => typeof r.answer === 'number' && r.answer < 300);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** mulberry32: a small seeded generator, so a failing run can be repeated exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
