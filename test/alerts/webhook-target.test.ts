// Which addresses an alert webhook may reach: every internal form is refused unless the operator allows it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blockedReason,
  literalUrlProblem,
  parseWebhookAllow,
  webhookUrlProblem,
} from '../../src/alerts/webhook-target.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

const none = parseWebhookAllow('');

describe('webhook target policy', () => {
  it('refuses loopback, private, link-local, unspecified and multicast addresses in every spelling', () => {
    const refused: Record<string, string> = {
      '127.0.0.1': 'loopback',
      '127.255.0.9': 'loopback',
      '10.0.0.1': 'private',
      '172.16.0.1': 'private',
      '172.31.255.255': 'private',
      '192.168.0.10': 'private',
      '100.64.0.1': 'private',
      '169.254.169.254': 'link-local',
      '0.0.0.0': 'unspecified',
      '224.0.0.251': 'multicast',
      '255.255.255.255': 'reserved',
      '::': 'unspecified',
      '::1': 'loopback',
      'fc00::1': 'private',
      'fd00:ec2::254': 'private',
      'fe80::1': 'link-local',
      'ff02::1': 'multicast',
      // IPv6 spellings of IPv4 internals.
      '::ffff:127.0.0.1': 'loopback',
      '::ffff:7f00:1': 'loopback',
      '::ffff:169.254.169.254': 'link-local',
      '::ffff:a9fe:a9fe': 'link-local',
      '::10.0.0.1': 'private',
      '64:ff9b::a9fe:a9fe': 'link-local',
      '2002:c0a8:1::': 'private',
    };
    for (const [ip, kind] of Object.entries(refused))
      assert.match(blockedReason(ip) ?? 'allowed', new RegExp(kind), ip);
    for (const ip of ['1.1.1.1', '172.32.0.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      assert.equal(blockedReason(ip), undefined, ip);
  });

  it('checks the URL as the parser reads it: decimal, hex and bracketed forms are the same address', () => {
    for (const url of [
      'http://127.0.0.1/x',
      'http://2130706433/x',
      'http://0x7f.1/x',
      'http://[::1]:9000/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://[::ffff:a9fe:a9fe]/latest/meta-data',
      'http://169.254.169.254/latest/meta-data',
      'http://localhost:8080/x',
      'http://api.localhost/x',
    ])
      assert.match(literalUrlProblem(url, none) ?? 'allowed', /SIGHTLINE_WEBHOOK_ALLOW/, url);
    assert.match(literalUrlProblem('https://user:pw@hooks.example.com/', none) ?? '', /credentials/);
    assert.equal(literalUrlProblem('https://hooks.example.com/x', none), undefined);
  });

  it('lets through exactly what the allow-list names: addresses, CIDRs, host names and *.suffixes', () => {
    const allow = parseWebhookAllow('127.0.0.1, 10.1.0.0/16, hooks.internal, *.corp.example');
    assert.equal(literalUrlProblem('http://127.0.0.1:9/x', allow), undefined);
    assert.equal(literalUrlProblem('http://[::ffff:127.0.0.1]:9/x', allow), undefined);
    assert.equal(literalUrlProblem('http://10.1.200.3/x', allow), undefined);
    assert.equal(literalUrlProblem('http://hooks.internal/x', allow), undefined);
    assert.equal(literalUrlProblem('http://a.b.corp.example/x', allow), undefined);
    assert.match(literalUrlProblem('http://127.0.0.2/x', allow) ?? '', /loopback/);
    assert.match(literalUrlProblem('http://10.2.0.1/x', allow) ?? '', /private/);
    assert.match(literalUrlProblem('http://[::1]/x', allow) ?? '', /loopback/);
    assert.throws(() => parseWebhookAllow('10.0.0.0/99'), /prefix/);
    assert.throws(() => parseWebhookAllow('http://x'), /not an IP address or CIDR/);
    assert.throws(() => parseWebhookAllow('hooks_internal'), /not a host name/);
  });

  it('resolves names at save time and refuses one whose addresses include an internal one', async () => {
    const dns = (answers: string[]) => async () =>
      answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    assert.equal(
      await webhookUrlProblem('https://hooks.example.com/x', none, dns(['93.184.216.34'])),
      undefined,
    );
    assert.match(
      (await webhookUrlProblem('https://evil.example/x', none, dns(['93.184.216.34', '10.0.0.5']))) ?? '',
      /evil\.example resolves to 10\.0\.0\.5, a private address/,
    );
    assert.match(
      (await webhookUrlProblem('https://evil.example/x', none, dns(['::ffff:169.254.169.254']))) ?? '',
      /link-local/,
    );
    const unresolvable = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    assert.equal(await webhookUrlProblem('https://later.example/x', none, unresolvable), undefined);
  });

  it('a loopback webhook in SIGHTLINE_ALERTS stops start-up unless SIGHTLINE_WEBHOOK_ALLOW lists it', () => {
    const env = {
      SIGHTLINE_DATA_DIR: '/tmp/sightline-unused',
      SIGHTLINE_ALERTS: JSON.stringify([
        {
          name: 'x',
          kind: 'dead_letters',
          channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }],
        },
      ]),
    };
    assert.throws(
      () => loadConfig(env),
      (err: unknown) =>
        err instanceof ConfigError &&
        /^SIGHTLINE_ALERTS: alerts\[0\]\.channels\[0\]\.url: 127\.0\.0\.1, a loopback address/.test(
          err.problems[0],
        ),
    );
    assert.equal(loadConfig({ ...env, SIGHTLINE_WEBHOOK_ALLOW: '127.0.0.1' }).alerts.length, 1);
    assert.throws(
      () => loadConfig({ ...env, SIGHTLINE_WEBHOOK_ALLOW: 'not a host' }),
      /SIGHTLINE_WEBHOOK_ALLOW/,
    );
  });
});
