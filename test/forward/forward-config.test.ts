import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { parseForwardConfig } from '../../src/forward/forward-config.ts';
import { tempDir } from '../support/temp-dir.ts';

const hook = { name: 'crm', type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-16-bytes' };

function problem(value: unknown): string {
  try {
    parseForwardConfig(JSON.stringify(value));
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`accepted ${JSON.stringify(value)}`);
}

describe('SIGHTLINE_FORWARD', () => {
  it('is off when unset', () => {
    const config = loadConfig({ SIGHTLINE_DATA_DIR: '/tmp/x' });
    assert.deepEqual(config.forward.destinations, []);
  });

  it('reads destinations with defaults, rules and aggregates', () => {
    const f = parseForwardConfig(
      JSON.stringify({
        destinations: [hook, { name: 'mp', type: 'mixpanel', token: 'tok' }],
        rules: [
          { destination: 'crm', project: 'app', types: ['signup'], props: { plan: { is_not: 'free' } } },
          { destination: 'mp', sample: 0.25, fields: { path: { matches: '^/docs' } } },
        ],
        aggregates: [{ destination: 'crm', every: 'day', project: 'app' }],
      }),
    );
    assert.equal(f.destinations[0].batchSize, 100);
    assert.equal(f.destinations[0].maxAttempts, 20);
    assert.equal(f.destinations[1].url, 'https://api.mixpanel.com/import?strict=1');
    assert.equal(f.rules[0].props[0].condition('pro'), true);
    assert.equal(f.rules[0].props[0].condition('free'), false);
    assert.equal(f.rules[1].sample, 0.25);
    assert.equal(f.rules[1].fields[0].condition('/docs/intro'), true);
    assert.deepEqual(f.aggregates[0], {
      destination: 'crm',
      every: 'day',
      metric: 'per-user-totals',
      project: 'app',
    });
  });

  it('names the field of each mistake', () => {
    assert.match(
      problem({ destinations: [hook], rules: [{ destination: 'nope' }] }),
      /rules\[0\]\.destination.*"nope"/,
    );
    assert.match(problem({ destinations: [{ ...hook, url: 'ftp://x' }] }), /destinations\[0\]\.url/);
    assert.match(problem({ destinations: [{ ...hook, url: 'not a url' }] }), /destinations\[0\]\.url/);
    assert.match(
      problem({ destinations: [hook], rules: [{ destination: 'crm', sample: 1.5 }] }),
      /rules\[0\]\.sample/,
    );
    assert.match(problem({ destinations: [{ ...hook, type: 'kafka' }] }), /destinations\[0\]\.type/);
    assert.match(problem({ destinations: [hook, hook] }), /destinations\[1\]\.name.*twice/);
    assert.match(
      problem({ destinations: [{ ...hook, batchSiz: 3 }] }),
      /destinations\[0\]\.batchSiz: unknown key/,
    );
    assert.match(
      problem({ destinations: [{ name: 'mp', type: 'mixpanel' }] }),
      /destinations\[0\]\.token.*required/,
    );
    assert.match(problem({ destinations: [{ name: 's', type: 'segment' }] }), /destinations\[0\]\.writeKey/);
    assert.match(
      problem({ destinations: [hook], rules: [{ destination: 'crm', props: { a: { matches: '(' } } }] }),
      /rules\[0\]\.props\.a\.matches/,
    );
    assert.match(
      problem({ destinations: [hook], rules: [{ destination: 'crm', fields: { colour: 'red' } }] }),
      /rules\[0\]\.fields\.colour/,
    );
    assert.match(
      problem({ destinations: [hook], aggregates: [{ destination: 'crm', every: 'week', project: 'app' }] }),
      /aggregates\[0\]\.every/,
    );
  });

  it('stops start-up naming the variable, or the key of a config file', () => {
    assert.throws(
      () =>
        loadConfig({ SIGHTLINE_DATA_DIR: '/tmp/x', SIGHTLINE_FORWARD: '{"destinations":[{"name":"a"}]}' }),
      (err: unknown) =>
        err instanceof ConfigError && /SIGHTLINE_FORWARD: destinations\[0\]\.type/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ SIGHTLINE_DATA_DIR: '/tmp/x', SIGHTLINE_FORWARD: '{nope' }),
      /SIGHTLINE_FORWARD: expected JSON/,
    );
  });

  it('reads a `forward:` object from a YAML config file', () => {
    const { dir, cleanup } = tempDir('forward-config');
    try {
      const file = path.join(dir, 'sightline.yaml');
      fs.writeFileSync(
        file,
        [
          'forward:',
          '  destinations:',
          '    - { name: crm, type: webhook, url: "http://127.0.0.1:9/hook", batchSize: 5 }',
          '  rules:',
          '    - destination: crm',
          '      types: [signup]',
          '      props: { plan: { contains: pro } }',
          '',
        ].join('\n'),
      );
      const config = loadConfig({ SIGHTLINE_DATA_DIR: dir, SIGHTLINE_CONFIG: file });
      assert.equal(config.forward.destinations[0].batchSize, 5);
      assert.deepEqual(config.forward.rules[0].types, ['signup']);
      fs.writeFileSync(file, 'forward:\n  rules:\n    - destination: crm\n');
      assert.throws(
        () => loadConfig({ SIGHTLINE_DATA_DIR: dir, SIGHTLINE_CONFIG: file }),
        /forward in .*sightline\.yaml: rules\[0\]\.destination: "crm" is not a destination/,
      );
    } finally {
      cleanup();
    }
  });
});
