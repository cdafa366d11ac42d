import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { collectSettings } from '../../src/collect/collect.settings.ts';
import { ConfigError, loadConfig, sectionOf, unknownVariableWarnings } from '../../src/config/config.ts';
import { configSchema, SECTIONS } from '../../src/config/config-schema.ts';
import { replaceTable } from '../../src/config/config-table.ts';
import { tempDir } from '../support/temp-dir.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.deepEqual(c.projects, [
      { name: 'app', key: undefined },
      { name: 'website', key: undefined },
    ]);
    assert.equal(c.bodyLimitBytes, 1_048_576);
    assert.equal(c.batchMaxRows, 10_000);
    assert.equal(c.batchMaxWaitMs, 1000);
    assert.ok(path.isAbsolute(c.dataDir));
  });

  it('parses the seed list form with write keys', () => {
    const c = loadConfig({ SIGHTLINE_PROJECTS: 'app:key-12345678, website' });
    assert.deepEqual(c.projects, [
      { name: 'app', key: 'key-12345678' },
      { name: 'website', key: undefined },
    ]);
  });

  it('names the variable and the fix for each bad value, all at once', () => {
    const problems = problemsOf({
      SIGHTLINE_PORT: 'eighty',
      SIGHTLINE_JWT_SECRET: 'short',
      SIGHTLINE_TRUST_PROXY: '10.0.0.0/99',
      SIGHTLINE_PROJECTS: 'bad name',
    });
    assert.equal(problems.length, 4);
    assert.match(problems[0], /^SIGHTLINE_PORT: expected a whole number, got "eighty"/);
    assert.ok(problems.some((p) => /^SIGHTLINE_PROJECTS: project name "bad name"/.test(p)));
    assert.ok(problems.some((p) => /^SIGHTLINE_JWT_SECRET: must be at least 32 bytes/.test(p)));
    assert.ok(problems.some((p) => /^SIGHTLINE_TRUST_PROXY: "10.0.0.0\/99" has a bad prefix length/.test(p)));
  });

  it('checks the log URL and goals', () => {
    const problems = problemsOf({ SIGHTLINE_LOG: 'kafka://', SIGHTLINE_GOALS: 'website:visit:/x' });
    assert.ok(problems.some((p) => /^SIGHTLINE_LOG: expected wal or kafka:\/\/host:port/.test(p)));
    assert.ok(problems.some((p) => /^SIGHTLINE_GOALS: "website:visit:\/x" is not project:event/.test(p)));
    assert.equal(loadConfig({ SIGHTLINE_LOG: 'kafka://k1:9092,k2:9092' }).log, 'kafka://k1:9092,k2:9092');
  });

  it("renames Sightline's Kafka topics and refuses names that clash", () => {
    assert.deepEqual(
      loadConfig({ SIGHTLINE_KAFKA_TOPICS: 'events=acme.events, dead-letters=acme.dlq' }).kafkaTopics,
      {
        events: 'acme.events',
        'dead-letters': 'acme.dlq',
      },
    );
    assert.deepEqual(loadConfig({}).kafkaTopics, {});
    const problems = problemsOf({ SIGHTLINE_KAFKA_TOPICS: 'visits=acme.visits' });
    assert.match(
      problems[0],
      /^SIGHTLINE_KAFKA_TOPICS: "visits" is not one of Sightline's topics \(events, logs, cdc, dead-letters\)/,
    );
    assert.match(
      problemsOf({ SIGHTLINE_KAFKA_TOPICS: 'events=a,logs=a' })[0],
      /topic "a" is named for two roles/,
    );
    assert.match(problemsOf({ SIGHTLINE_KAFKA_TOPICS: 'events=' })[0], /write events=<topic name>/);
    assert.match(
      problemsOf({ SIGHTLINE_KAFKA_TOPICS: 'logs=app.logs' })[0],
      /"app.logs" is also SIGHTLINE_KAFKA_LOGS_TOPIC/,
    );
  });

  it('reads a YAML file, env wins, unknown keys are refused', () => {
    const { dir, cleanup } = tempDir('cfg');
    try {
      const file = path.join(dir, 'sightline.yaml');
      fs.writeFileSync(file, 'port: 9000\nprojects: [shop, blog]\nbatchMaxRows: 50\n');
      const c = loadConfig({ SIGHTLINE_CONFIG: file, SIGHTLINE_BATCH_MAX_ROWS: '70' });
      assert.equal(c.port, 9000);
      assert.deepEqual(
        c.projects.map((p) => p.name),
        ['shop', 'blog'],
      );
      assert.equal(c.batchMaxRows, 70);
      fs.writeFileSync(file, 'prot: 9000\n');
      assert.match(problemsOf({ SIGHTLINE_CONFIG: file })[0], /unknown setting "prot"/);
    } finally {
      cleanup();
    }
  });

  it("reads a YAML file's forward: object and alerts: list as values, not as JSON text", (t) => {
    const { dir, cleanup } = tempDir('cfg');
    try {
      const file = path.join(dir, 'sightline.yaml');
      fs.writeFileSync(
        file,
        [
          'forward:',
          '  destinations:',
          '    - { name: crm, type: webhook, url: "https://crm.example.com/hook" }',
          '  rules:',
          '    - { destination: crm, types: [signup], sample: "0.5" }',
          'alerts:',
          '    - name: Traffic stopped',
          '      kind: threshold',
          '      project: website',
          '      metric: visitors',
          '      below: 1',
          '      channels: [{ type: webhook, url: "https://hooks.example.com/sightline" }]',
          'reports:',
          '    - { project: website, every: week, to: [team@example.com] }',
          'smtpUrl: smtp://mail.example.com:587',
          'smtpFrom: alerts@example.com',
          '',
        ].join('\n'),
      );
      // Nothing of the file is turned into JSON text and parsed again on the way to the fields' parsers.
      const stringify = t.mock.method(JSON, 'stringify');
      const parse = t.mock.method(JSON, 'parse');
      const c = loadConfig({ SIGHTLINE_CONFIG: file });
      assert.equal(stringify.mock.callCount(), 0);
      assert.equal(parse.mock.callCount(), 0);
      t.mock.restoreAll();
      assert.deepEqual(
        c.forward.destinations.map((d) => d.name),
        ['crm'],
      );
      assert.equal(c.forward.rules[0].sample, 0.5);
      assert.deepEqual(
        c.alerts.map((r) => [r.name, r.kind, r.project]),
        [['Traffic stopped', 'threshold', 'website']],
      );
      assert.deepEqual(
        c.reports.map((r) => [r.project, r.every, r.to]),
        [['website', 'week', ['team@example.com']]],
      );
    } finally {
      cleanup();
    }
  });

  it('names the file key of a bad structured value', () => {
    const { dir, cleanup } = tempDir('cfg');
    try {
      const file = path.join(dir, 'sightline.yaml');
      fs.writeFileSync(
        file,
        'forward:\n  destinations:\n    - { name: crm, type: carrier-pigeon }\nalerts:\n  - { kind: threshold }\n',
      );
      const problems = problemsOf({ SIGHTLINE_CONFIG: file });
      assert.ok(
        problems.some((p) => p.startsWith(`forward in ${file}: `) && p.includes('destinations[0]')),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((p) => p.startsWith(`alerts in ${file}: `) && p.includes('alerts[0]')),
        problems.join('\n'),
      );
      fs.writeFileSync(file, 'alerts: { kind: threshold }\nport: { number: 80 }\n');
      const more = problemsOf({ SIGHTLINE_CONFIG: file });
      assert.ok(
        more.some((p) => p.startsWith(`alerts in ${file}: must be a JSON list of rules`)),
        more.join('\n'),
      );
      assert.ok(
        more.some((p) => p.startsWith(`port in ${file}: expected text or a number, not an object`)),
        more.join('\n'),
      );
    } finally {
      cleanup();
    }
  });

  it('composes the sections of the stages without losing one: every key and variable is declared once', () => {
    const keys = SECTIONS.flatMap((section) => Object.keys(section));
    assert.equal(new Set(keys).size, keys.length, 'a key is declared by two sections');
    assert.deepEqual(keys, Object.keys(configSchema));
    const envs = Object.values(configSchema).map((f) => f.env);
    assert.equal(new Set(envs).size, envs.length, 'a variable is declared twice');
  });

  it('hands a stage its section and nothing else', () => {
    const collect = sectionOf(
      loadConfig({ SIGHTLINE_ADMIN_TOKEN: 'a-long-enough-admin-token' }),
      collectSettings,
    );
    assert.deepEqual(Object.keys(collect).sort(), Object.keys(collectSettings).sort());
    assert.equal(collect.rateLimitBurst, 500);
    assert.equal('adminToken' in collect, false);
  });

  it('trusts X-Forwarded-For only from listed proxies', () => {
    const c = loadConfig({ SIGHTLINE_TRUST_PROXY: '10.0.0.0/8,::1' });
    assert.equal(c.trustProxy.contains('10.1.2.3'), true);
    assert.equal(c.trustProxy.contains('::ffff:10.1.2.3'), true);
    assert.equal(c.trustProxy.contains('::1'), true);
    assert.equal(c.trustProxy.contains('192.168.0.1'), false);
  });

  it('keeps the README configuration table in step with the schema', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    assert.equal(readme, replaceTable(readme), 'run `npm run docs:config` to regenerate the README table');
  });
});

describe('unknown SIGHTLINE_* variables', () => {
  it('warn at start, naming the closest known variable', () => {
    assert.deepEqual(
      unknownVariableWarnings({
        SIGHTLINE_RATE_LIMIT: '0',
        SIGHTLINE_PROJETCS: 'app',
        SIGHTLINE_WEBHOOK_ALLOWS: '10.0.0.0/8',
        SIGHTLINE_FROBNICATE: '1',
        SIGHTLINE_PORT: '8080',
        PATH: '/bin',
      }),
      [
        'unknown variable SIGHTLINE_FROBNICATE; it is ignored (`sightline help config` lists every setting)',
        'unknown variable SIGHTLINE_PROJETCS; did you mean SIGHTLINE_PROJECTS?',
        'unknown variable SIGHTLINE_RATE_LIMIT; did you mean SIGHTLINE_RATE_LIMIT_PER_SECOND?',
        'unknown variable SIGHTLINE_WEBHOOK_ALLOWS; did you mean SIGHTLINE_WEBHOOK_ALLOW?',
      ],
    );
  });

  it('stay quiet about every SIGHTLINE_* name the project reads outside the schema (CDC agent, tests, scripts)', () => {
    const root = path.join(import.meta.dirname, '../..');
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules' && file !== path.join(root, 'test/config')) walk(file);
        } else if (/\.(ts|tsx|js|sh|ya?ml|env|conf)$|Dockerfile/.test(entry.name)) {
          const text = fs.readFileSync(file, 'utf8');
          // Tests that check the warning set a mistyped variable on purpose.
          if (text.includes('did you mean')) continue;
          for (const m of text.matchAll(/SIGHTLINE_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(m[0]);
        }
      }
    };
    for (const dir of ['src', 'scripts', 'test', 'deploy', 'bin', 'bench']) walk(path.join(root, dir));
    assert.ok(names.has('SIGHTLINE_CDC_MYSQL_PASSWORD') && names.has('SIGHTLINE_SCREENSHOTS_DIR'));
    const env = Object.fromEntries([...names].map((n) => [n, 'x']));
    assert.deepEqual(unknownVariableWarnings(env), []);
  });
});
