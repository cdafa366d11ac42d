// Alert webhooks as an attacker with an admin session would use them: to reach the server's own network, to
// bounce through a redirect, to swap the address between check and connect, and to read what a port answers.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { postWebhook } from '../../src/alerts/webhook.channel.ts';
import { parseWebhookAllow } from '../../src/alerts/webhook-target.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN, startInProcess } from '../support/in-process-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let hook: WebhookReceiver;
let redirector: http.Server;
let redirectUrl: string;
let chatty: http.Server;
let chattyUrl: string;
let redirectHits = 0;
let server: Awaited<ReturnType<typeof startInProcess>>;

const listen = async (handler: http.RequestListener) => {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  return { s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook` };
};

before(async () => {
  hook = await startWebhookReceiver();
  ({ s: redirector, url: redirectUrl } = await listen((req, res) => {
    redirectHits++;
    req.resume();
    res.writeHead(307, { location: hook.url }).end();
  }));
  ({ s: chatty, url: chattyUrl } = await listen((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' }).end('internal-secret: db password is hunter2');
  }));
  server = await startInProcess({
    SIGHTLINE_ALERT_INTERVAL_SECONDS: '0',
    SIGHTLINE_WEBHOOK_ALLOW: '127.0.0.1',
  });
});

after(async () => {
  await server?.cleanup();
  await hook?.close();
  redirector?.close();
  chatty?.close();
});

const fast = { firstDelayMs: 1, attempts: 2 };
const answers =
  (...ips: string[]) =>
  async () =>
    ips.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('sending an alert webhook', () => {
  it('refuses a loopback target that is not allow-listed, before connecting', async () => {
    const before = hook.bodies.length;
    await assert.rejects(postWebhook(hook.url, { x: 1 }, fast), /loopback address/);
    const port = new URL(hook.url).port;
    await assert.rejects(postWebhook(`http://[::ffff:127.0.0.1]:${port}/`, { x: 1 }, fast), /loopback/);
    assert.equal(hook.bodies.length, before);
  });

  it('checks every address a name resolves to, at send time, and connects only to a checked one', async () => {
    const before = hook.bodies.length;
    const url = hook.url.replace('127.0.0.1', 'rebind.example');
    // Passed the save-time check with a public answer; now the name points at loopback.
    await assert.rejects(
      postWebhook(url, { x: 1 }, { ...fast, resolve: answers('127.0.0.1') }),
      /rebind\.example resolves to 127\.0\.0\.1, a loopback address/,
    );
    await assert.rejects(
      postWebhook(url, { x: 1 }, { ...fast, resolve: answers('93.184.216.34', '::1') }),
      /resolves to ::1/,
    );
    assert.equal(hook.bodies.length, before);
    // An allow-listed name reaches the address the lookup checked (the name itself resolves nowhere).
    await postWebhook(
      url,
      { ok: true },
      { ...fast, allow: parseWebhookAllow('rebind.example'), resolve: answers('127.0.0.1') },
    );
    assert.deepEqual(hook.bodies.at(-1), { ok: true });
  });

  it('does not follow redirects: a 3xx is a failure, asked once', async () => {
    const before = hook.bodies.length;
    redirectHits = 0;
    await assert.rejects(
      postWebhook(redirectUrl, { x: 1 }, { ...fast, allow: parseWebhookAllow('127.0.0.1') }),
      /HTTP 307: redirects are not followed/,
    );
    assert.equal(redirectHits, 1);
    assert.equal(hook.bodies.length, before);
  });
});

describe('alert webhooks through the API', () => {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : {} };
  };
  const rule = (url: string) => ({
    name: 'probe',
    kind: 'dead_letters',
    channels: [{ type: 'webhook', url }],
  });

  it('refuses internal targets at save with 400 naming the reason', async () => {
    const port = new URL(hook.url).port;
    for (const [url, why] of [
      [`http://127.0.0.2:${port}/`, /127\.0\.0\.2, a loopback address/],
      [`http://[::1]:${port}/`, /::1, a loopback address/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://[::ffff:a9fe:a9fe]/latest/meta-data/', /link-local/],
      ['http://10.0.0.1/', /private/],
      ['http://[fd00::1]/', /private/],
      ['http://0.0.0.0:22/', /unspecified/],
      [`http://localhost:${port}/`, /loopback name/],
    ] as const) {
      const res = await call('POST', '/api/v1/alerts', rule(url));
      assert.equal(res.status, 400, url);
      assert.equal(res.json.error.code, 'ALERT_ERR_BAD_RULE');
      assert.match(res.json.error.message, why, url);
      assert.match(res.json.error.message, /^rule\.channels\[0\]\.url: /);
    }
  });

  it("a test send says delivered or failed, never the target's status, body or socket error", async () => {
    const closed = `http://127.0.0.1:${await freePort()}/hook`;
    for (const url of [chattyUrl, closed]) {
      const created = await call('POST', '/api/v1/alerts', rule(url));
      assert.equal(created.status, 201, created.text);
      const tested = await call('POST', `/api/v1/alerts/${created.json.id}/test`);
      assert.equal(tested.status, 200);
      assert.deepEqual(tested.json.delivery, [`webhook ${url} failed`]);
      const history = await call('GET', `/api/v1/alerts/history?rule=${created.json.id}`);
      assert.equal(history.json.results[0].delivery, `webhook ${url} failed`);
      for (const text of [tested.text, history.text])
        assert.doesNotMatch(text, /500|hunter2|internal-secret|ECONNREFUSED|refused/i);
    }
    const good = await call('POST', '/api/v1/alerts', rule(hook.url));
    const tested = await call('POST', `/api/v1/alerts/${good.json.id}/test`);
    assert.deepEqual(tested.json.delivery, [`webhook ${hook.url} delivered`]);
  });
});
