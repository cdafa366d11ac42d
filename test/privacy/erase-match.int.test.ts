// Erasure by a trait or property value: `sightline erase --match 'email=…'` lists the user ids whose event
// properties or profile traits hold it (two accounts of one e-mail here, one through Segment's traits), erases
// nothing without --yes, then erases each as a user-id erasure; `DELETE /api/v1/people?match=` does the same. A
// value many people share is refused rather than erased in bulk; only admins may look people up by a value.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { MAX_MATCHES } from '../../src/privacy/match.ts';
import { ADMIN, eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { ROOT } from '../support/server-process.ts';
import { traces } from './store-checks.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

const KEY = 'shop-write-key-789';
const EMAIL = 'alice.match-5Tq@example.com';
const admin = { authorization: `Bearer ${ADMIN}` };

async function native(events: unknown[]): Promise<void> {
  const res = await postJson(`${server.url}/e`, events, { 'x-app': 'shop', 'x-project-key': KEY });
  assert.equal(res.status, 202, JSON.stringify(res.json));
}

async function countOf(user: string): Promise<number> {
  const [r] = await server.store.query<{ n: string }>(
    "SELECT count() AS n FROM events WHERE project = 'shop' AND user_id = {u:String}",
    { u: user },
  );
  return Number(r.n);
}

function erase(args: string[]) {
  return promisify(execFile)(
    process.execPath,
    [path.join(ROOT, 'src/cli/main.ts'), 'erase', '--url', server.url, '--token', ADMIN, ...args],
    { env: { PATH: process.env.PATH ?? '', SIGHTLINE_PROJECTS: `shop:${KEY}` }, encoding: 'utf8' },
  ).then(
    (r) => ({ status: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      status: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: `shop:${KEY},app`,
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
  await native([
    { type: 'identify', user_id: 'u-1001', details: { email: EMAIL, plan: 'pro' } },
    { type: 'pageview', user_id: 'u-1001', path: '/a' },
    { type: 'identify', user_id: 'u-2002', details: { email: 'bob@example.com', plan: 'pro' } },
    { type: 'pageview', user_id: 'u-2002', path: '/b' },
    { type: 'identify', user_id: 'u-3003', details: { email: 'carol@example.com' } },
    // Someone whose property only mentions the e-mail inside a longer value is not named by it.
    { type: 'click', user_id: 'u-4004', details: { note: `wrote to ${EMAIL}` } },
    // A value more people share than an erasure by value takes.
    ...Array.from({ length: MAX_MATCHES + 1 }, (_, i) => ({
      type: 'identify',
      user_id: `bulk-${i}`,
      details: { team: 'everyone' },
    })),
  ]);
  // Her second account, through Segment's traits.
  const segment = await postJson(
    `${server.url}/v1/identify`,
    { userId: 'u-1009', traits: { email: EMAIL }, messageId: 'm-1009' },
    { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` },
  );
  assert.equal(segment.status, 200, JSON.stringify(segment.json));
  await eventually(async () => ((await countOf('u-1009')) === 1 ? true : undefined), 30_000);
  await eventually(async () => ((await countOf('bulk-100')) === 1 ? true : undefined), 30_000);
});
after(() => server.cleanup());

describe('erasure by a trait or property value', () => {
  it('lists who a value names, for admins only', async () => {
    const q = `project=shop&match=${encodeURIComponent(`email=${EMAIL}`)}`;
    const res = await fetch(`${server.url}/api/v1/people?${q}`, { headers: admin });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { user_ids: string[] }).user_ids, ['u-1001', 'u-1009']);
    assert.equal((await fetch(`${server.url}/api/v1/people?${q}`)).status, 401);
    const bad = await fetch(`${server.url}/api/v1/people?project=shop&match=email`, { headers: admin });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'PRIVACY_ERR_BAD_PARAMS');
  });

  it('sightline erase --match lists the user ids and erases nothing without --yes', async () => {
    const run = await erase(['--project', 'shop', '--match', `email=${EMAIL}`]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stdout, /2 people in shop with email = .*:\n {2}u-1001\n {2}u-1009\n/);
    assert.match(run.stderr, /add --yes/);
    assert.equal(await countOf('u-1001'), 2);
    assert.equal(await countOf('u-1009'), 1);
  });

  it('with --yes erases each as a user-id erasure, and no one else', async () => {
    const run = await erase(['--project', 'shop', '--match', `email=${EMAIL}`, '--yes']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.match(/Erased \(request /g)?.length, 2);
    assert.equal(await countOf('u-1001'), 0);
    assert.equal(await countOf('u-1009'), 0);
    assert.equal(await countOf('u-2002'), 2);
    assert.equal(await countOf('u-4004'), 1);
    assert.deepEqual(await traces(server.store, 'u-1001'), []);
    assert.deepEqual(await traces(server.store, 'u-1009'), []);
    const again = await erase(['--project', 'shop', '--match', `email=${EMAIL}`, '--yes']);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /No one in shop has email/);
  });

  it('DELETE /api/v1/people?match= erases the people a value names', async () => {
    const res = await fetch(
      `${server.url}/api/v1/people?project=shop&match=${encodeURIComponent('email=carol@example.com')}`,
      { method: 'DELETE', headers: admin },
    );
    const body = (await res.json()) as {
      count: number;
      erasures: Array<{ user_id: string; removed: { events: number } }>;
    };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.count, 1);
    assert.equal(body.erasures[0].user_id, 'u-3003');
    assert.equal(body.erasures[0].removed.events, 1);
    assert.equal(await countOf('u-3003'), 0);
  });

  it(`refuses a value more than ${MAX_MATCHES} people share`, async () => {
    const res = await fetch(`${server.url}/api/v1/people?project=shop&match=team=everyone`, {
      method: 'DELETE',
      headers: admin,
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /more than 100/);
    assert.equal(await countOf('bulk-0'), 1);
  });
});
