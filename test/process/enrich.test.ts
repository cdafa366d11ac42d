import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../../src/contract/envelope.ts';
import { DailySalts } from '../../src/process/enrich/daily-salts.ts';
import { type GeoLookup, openGeoLookup } from '../../src/process/enrich/geo-lookup.ts';
import { sourceOfHost } from '../../src/process/enrich/referrer-sources.ts';
import { isSpamHost, spamListSize } from '../../src/process/enrich/referrer-spam.ts';
import { blankRow } from '../../src/process/event-row.ts';
import { createBotStep } from '../../src/process/steps/put-bot.step.ts';
import { putProfileFlag } from '../../src/process/steps/put-profile-flag.step.ts';
import { channelOf, putReferrer } from '../../src/process/steps/put-referrer.step.ts';
import { normalisePath, putUrl } from '../../src/process/steps/put-url.step.ts';
import { putUserAgent } from '../../src/process/steps/put-user-agent.step.ts';
import { putVisitor } from '../../src/process/steps/put-visitor.step.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('enrich');
after(cleanup);

function envelope(over: Partial<Envelope> = {}): Envelope {
  return {
    v: 1,
    id: '00000000-0000-4000-8000-000000000000',
    receivedAt: Date.UTC(2026, 10, 24, 12),
    protocol: 'native',
    project: 'app',
    ip: '8.8.8.8',
    ua: 'Mozilla/5.0',
    headers: {},
    count: 1,
    body: Buffer.alloc(0),
    ...over,
  };
}

/** The context a step sees: the envelope's IP and agent, unless a test overrides them. */
function ctxOf(env: Envelope, pageUrl = '') {
  return { pageUrl, ip: env.ip, ua: env.ua, anonymousId: '' };
}

describe('geo', () => {
  let geo: GeoLookup;
  before(async () => {
    geo = await openGeoLookup(undefined);
  });

  it('maps public addresses of known networks to their country', () => {
    // Google DNS (US), Strato (DE), Google over IPv6 in Ireland, an IPv4-mapped IPv6 address.
    assert.equal(geo.lookup('8.8.8.8').country, 'US');
    assert.equal(geo.lookup('81.169.145.1').country, 'DE');
    assert.equal(geo.lookup('2a00:1450:4001:80b::200e').country, 'IE');
    assert.equal(geo.lookup('::ffff:81.169.145.1').country, 'DE');
  });

  it('leaves private, loopback, documentation and malformed addresses empty', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.5.4',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.1.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '203.0.113.9',
      '',
      'nope',
    ])
      assert.deepEqual(geo.lookup(ip), { country: '', region: '', city: '' }, ip);
  });

  it('refuses a city database that cannot be opened, naming the setting', async () => {
    await assert.rejects(openGeoLookup(path.join(dir, 'missing.mmdb')), /SIGHTLINE_GEOIP_CITY_DB/);
  });
});

describe('referrer sources and channels', () => {
  it('recognises hosts, subdomains and country domains', () => {
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ['www.google.com', 'Google', 'search'],
      ['www.google.co.uk', 'Google', 'search'],
      ['google.com.br', 'Google', 'search'],
      ['news.ycombinator.com', 'Hacker News', 'social'],
      ['t.co', 'X (Twitter)', 'social'],
      ['l.facebook.com', 'Facebook', 'social'],
      ['duckduckgo.com', 'DuckDuckGo', 'search'],
      ['mail.google.com', 'Gmail', 'email'],
      ['de.wikipedia.org', 'Wikipedia', 'referral'],
      ['github.com', 'GitHub', 'social'],
      ['googlesyndication.example.org', undefined, undefined],
      ['example.com', undefined, undefined],
    ];
    for (const [host, name, medium] of cases) {
      const s = sourceOfHost(host);
      assert.deepEqual([s?.name, s?.medium], [name, medium], host);
    }
  });

  it('chooses the channel: campaign first, then click ids, then the referrer', () => {
    assert.equal(channelOf('cpc', 'google', 'search', ''), 'paid');
    assert.equal(channelOf('', '', 'search', 'https://s.example/?gclid=abc'), 'paid');
    assert.equal(channelOf('email', '', '', ''), 'email');
    assert.equal(channelOf('newsletter', '', 'social', ''), 'email');
    assert.equal(channelOf('social', '', '', ''), 'organic social');
    assert.equal(channelOf('', '', 'search', ''), 'organic search');
    assert.equal(channelOf('', '', 'social', ''), 'organic social');
    assert.equal(channelOf('', '', 'referral', ''), 'referral');
    assert.equal(channelOf('', 'reddit', '', ''), 'organic social');
    assert.equal(channelOf('', 'some-partner', '', ''), 'referral');
    assert.equal(channelOf('', '', '', ''), 'direct');
  });

  it('treats a referral from the same site as internal (direct), with or without www', () => {
    const step = putReferrer({ stripParams: ['token'] });
    const row = { ...blankRow(), host: 'example.com', referrer: 'https://www.example.com/blog' };
    step.run(row, envelope(), ctxOf(envelope(), 'https://example.com/pricing'));
    assert.deepEqual([row.referrer, row.referrer_source, row.channel], ['', '', 'direct']);
  });

  it('keeps an unknown referrer by its host and strips secret parameters', () => {
    const step = putReferrer({ stripParams: ['token', 'email'] });
    const row = {
      ...blankRow(),
      host: 'example.com',
      referrer: 'https://blog.partner.io/post?id=7&Token=s3cret&email=a@b.c',
    };
    step.run(row, envelope(), ctxOf(envelope(), ''));
    assert.equal(row.referrer, 'https://blog.partner.io/post?id=7');
    assert.equal(row.referrer_source, 'blog.partner.io');
    assert.equal(row.channel, 'referral');
  });
});

describe('URL split', () => {
  const strip = { trailingSlash: 'strip' as const, hashRouting: false };
  it('normalises paths', () => {
    assert.equal(normalisePath('/docs/', strip), '/docs');
    assert.equal(normalisePath('/', strip), '/');
    assert.equal(normalisePath('//a///b/?x=1#y', strip), '/a/b');
    assert.equal(normalisePath('docs', strip), '/docs');
    assert.equal(normalisePath('/docs/', { trailingSlash: 'keep', hashRouting: false }), '/docs/');
  });

  it('reads host, path, UTM and ref from the page URL; hash routes when enabled', () => {
    const row = blankRow();
    putUrl(strip).run(row, envelope(), ctxOf(envelope(), 'https://EXAMPLE.com/a/?ref=producthunt#/ignored'));
    assert.deepEqual([row.host, row.path, row.utm_source], ['example.com', '/a', 'producthunt']);
    const spa = blankRow();
    putUrl({ trailingSlash: 'strip', hashRouting: true }).run(
      spa,
      envelope(),
      ctxOf(envelope(), 'https://app.example.com/#/settings/profile'),
    );
    assert.equal(spa.path, '/settings/profile');
  });
});

describe('cookieless visitor id', () => {
  const day = Date.UTC(2026, 10, 24, 10);

  it('is the same for the same inputs on the same day, different the next day and per project', () => {
    const salts = new DailySalts(path.join(dir, 'v1'));
    const step = putVisitor(salts);
    const id = (env: Envelope, project = 'app') => {
      const row = { ...blankRow(), project };
      step.run(row, env, ctxOf(env));
      return row.visitor_id;
    };
    const a = id(envelope({ receivedAt: day }));
    assert.notEqual(a, '0');
    assert.equal(id(envelope({ receivedAt: day + 3_600_000 })), a);
    assert.notEqual(id(envelope({ receivedAt: day + 86_400_000 })), a);
    assert.notEqual(id(envelope({ receivedAt: day, ip: '8.8.4.4' })), a);
    assert.notEqual(id(envelope({ receivedAt: day }), 'website'), a);
  });

  it('derives from the user id when there is one, stable across days', () => {
    const step = putVisitor(new DailySalts(path.join(dir, 'v2')));
    const ids = [day, day + 5 * 86_400_000].map((receivedAt) => {
      const row = { ...blankRow(), project: 'app', user_id: 'u-42' };
      const env = envelope({ receivedAt });
      step.run(row, env, ctxOf(env));
      return row.visitor_id;
    });
    assert.equal(ids[0], ids[1]);
  });

  it('destroys a salt once its day has been over for 24 h', () => {
    const salts = new DailySalts(path.join(dir, 'v3'));
    salts.saltFor(day, day);
    const file = path.join(dir, 'v3', 'salts', '2026-11-24.salt');
    assert.ok(fs.existsSync(file));
    // Next day: still kept (late events of yesterday).
    salts.destroyExpired(Date.UTC(2026, 10, 25, 23, 59));
    assert.ok(fs.existsSync(file));
    // 24 h after the day ended: gone, and a new salt for that day would not match the old one.
    assert.deepEqual(salts.destroyExpired(Date.UTC(2026, 10, 26, 0, 0)), ['2026-11-24']);
    assert.equal(fs.existsSync(file), false);
  });
});

describe('bots, spam and profile updates', () => {
  it('flags referrer spam (listed domain or subdomain), keeping the event', () => {
    const step = putReferrer({ stripParams: [] });
    const row = { ...blankRow(), host: 'example.com', referrer: 'https://www.best-seo-offer.com/' };
    step.run(row, envelope(), ctxOf(envelope()));
    assert.equal(isSpamHost('best-seo-offer.com'), true);
    assert.deepEqual([row.is_bot, row.bot_reason], [true, 'referrer-spam']);
    assert.ok(spamListSize > 1000);
    const clean = { ...blankRow(), host: 'example.com', referrer: 'https://github.com/x' };
    step.run(clean, envelope(), ctxOf(envelope()));
    assert.equal(clean.is_bot, false);
  });

  it('flags crawlers by user agent and by the configured deny list, with the reason', () => {
    const step = createBotStep(['InternalMonitor']);
    const crawl = blankRow();
    {
      const env = envelope({
        ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      });
      step.run(crawl, env, ctxOf(env));
    }
    assert.deepEqual([crawl.is_bot, crawl.bot_reason, crawl.device_type], [true, 'user-agent', 'bot']);
    const denied = blankRow();
    {
      const env = envelope({ ua: 'Mozilla/5.0 (X11; Linux x86_64) internalmonitor/3.1' });
      step.run(denied, env, ctxOf(env));
    }
    assert.deepEqual([denied.is_bot, denied.bot_reason], [true, 'deny-list']);
    const person = blankRow();
    {
      const env = envelope({
        ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
      });
      step.run(person, env, ctxOf(env));
    }
    assert.deepEqual([person.is_bot, person.bot_reason], [false, '']);
  });

  it('marks which events update user profiles', () => {
    const step = putProfileFlag(['purchase']);
    const flag = (type: string, user_id = 'u') => {
      const row = { ...blankRow(), type, user_id };
      step.run(row, envelope(), ctxOf(envelope()));
      return row.updates_profile;
    };
    assert.deepEqual(
      [flag('purchase'), flag('identify'), flag('pageview'), flag('purchase', '')],
      [true, true, false, false],
    );
    const all = { ...blankRow(), type: 'pageview', user_id: 'u' };
    putProfileFlag([]).run(all, envelope(), ctxOf(envelope()));
    assert.equal(all.updates_profile, true);
  });

  it('reads client hints: Windows 11 and the device model', () => {
    const chrome =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const row = blankRow();
    {
      const env = envelope({
        ua: chrome,
        headers: { 'sec-ch-ua-platform': '"Windows"', 'sec-ch-ua-platform-version': '"15.0.0"' },
      });
      putUserAgent.run(row, env, ctxOf(env));
    }
    assert.deepEqual(
      [row.os, row.os_version, row.browser, row.browser_version],
      ['Windows', '11', 'Chrome', '131'],
    );
    const android = blankRow();
    {
      const env = envelope({
        ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
        headers: { 'sec-ch-ua-model': '"Pixel 8"', 'sec-ch-ua-mobile': '?1' },
      });
      putUserAgent.run(android, env, ctxOf(env));
    }
    assert.deepEqual([android.device_type, android.device_model], ['mobile', 'Pixel 8']);
  });
});
