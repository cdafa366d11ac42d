// The deploy/ folder, checked without a Docker engine: the compose file validates with Debian's docker-compose and
// holds what docs/scale-out.md promises; both nginx configs pass `nginx -t`; the Dockerfile is multi-stage,
// production-only and non-root; every Grafana panel's SQL, macros expanded, runs on the embedded store over seeded
// data and the event panels return rows.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { seed } from '../../src/seed/seed.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { testConfig } from '../support/nginx.ts';
import { ROOT } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const DEPLOY = path.join(ROOT, 'deploy');
const { dir, cleanup } = tempDir('deploy');
after(cleanup);

interface Service {
  image?: string;
  command?: string[];
  ports?: Array<string | { target: number; published: number | string }>;
  volumes?: Array<string | { source: string; target: string }>;
  healthcheck?: { test: string[] | string };
  restart?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  let services: Record<string, Service>;
  before(() => {
    const out = execFileSync(
      'docker-compose',
      [
        '--env-file',
        path.join(DEPLOY, '.env.example'),
        '-f',
        path.join(DEPLOY, 'docker-compose.yml'),
        'config',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    services = (YAML.parse(out) as { services: Record<string, Service> }).services;
  });

  it('validates and has every service of the topology', () => {
    assert.deepEqual(Object.keys(services).sort(), [
      'api',
      'clickhouse',
      'collect-1',
      'collect-2',
      'grafana',
      'kafka',
      'nginx',
      'process-1',
      'process-2',
    ]);
  });

  it('gives every service a health check, a restart policy and host-folder data', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.healthcheck?.test, `${name} has a health check`);
      assert.equal(s.restart, 'unless-stopped', `${name} restarts`);
      if (name !== 'nginx')
        assert.ok(
          (s.volumes ?? []).some((v) => (typeof v === 'string' ? v : v.source).includes('/data/')),
          `${name} keeps its data in a host folder`,
        );
    }
  });

  it('runs the Sightline roles on Kafka and ClickHouse from one image', () => {
    for (const [name, role] of [
      ['collect-1', 'collect'],
      ['collect-2', 'collect'],
      ['process-1', 'process'],
      ['process-2', 'process'],
      ['api', 'api'],
    ]) {
      const s = services[name];
      assert.equal(s.image, 'sightline:latest');
      assert.deepEqual(s.command, [role]);
      assert.equal(s.environment?.SIGHTLINE_LOG, 'kafka://kafka:9092');
      assert.match(
        s.environment?.SIGHTLINE_STORE ?? '',
        /^http:\/\/sightline:.+@clickhouse:8123\/sightline$/,
      );
    }
    assert.match(services.kafka.image ?? '', /^apache\/kafka:4\./);
    assert.equal(String(services.kafka.environment?.KAFKA_LOG_RETENTION_HOURS), '168');
    assert.match(services.clickhouse.image ?? '', /^clickhouse\/clickhouse-server:/);
    assert.match(services.grafana.image ?? '', /^grafana\/grafana:/);
    assert.match(services.grafana.environment?.GF_INSTALL_PLUGINS ?? '', /grafana-clickhouse-datasource/);
    assert.equal(services['process-1'].depends_on?.clickhouse.condition, 'service_healthy');
    const ports = (services.nginx.ports ?? []).map((p) =>
      typeof p === 'string' ? p : `${p.published}:${p.target}`,
    );
    assert.ok(ports.includes('80:80') && ports.includes('8081:8081'), ports.join(' '));
  });

  it('refuses to start without the secrets', () => {
    assert.throws(
      () =>
        execFileSync('docker-compose', ['-f', path.join(DEPLOY, 'docker-compose.yml'), 'config'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { PATH: process.env.PATH ?? '' },
        }),
      /SIGHTLINE_ADMIN_TOKEN|CLICKHOUSE_PASSWORD/,
    );
  });
});

describe('nginx configs', () => {
  it('analytics.conf passes nginx -t (upstreams mapped to loopback)', () => {
    const out = testConfig({
      dir: path.join(dir, 'nginx-analytics'),
      config: 'analytics.conf',
      listen: 18080,
      upstreams: { 'collect-1:8080': 18081, 'collect-2:8080': 18082 },
    });
    assert.match(out, /syntax is ok/);
  });

  it('dashboard.conf passes nginx -t', () => {
    const out = testConfig({
      dir: path.join(dir, 'nginx-dashboard'),
      config: 'dashboard.conf',
      listen: 18090,
      upstreams: { 'api:8080': 18091, 'grafana:3000': 18092 },
    });
    assert.match(out, /syntax is ok/);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage on Node 24 slim, production packages only, not root, with a health check', () => {
    const text = fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
    assert.equal((text.match(/^FROM node:24-slim/gm) ?? []).length, 2);
    assert.match(text, /npm prune --omit=dev/);
    assert.match(text, /^USER sightline$/m);
    assert.match(text, /^HEALTHCHECK /m);
    assert.match(text, /^ENTRYPOINT \["node", "src\/cli\/main.ts"\]$/m);
  });
});

describe('Grafana dashboards', () => {
  let store: Store;
  const FROM = '2026-03-01 00:00:00';
  const TO = '2026-03-08 00:00:00';

  before(async () => {
    store = openStore({ url: 'chdb', dataDir: path.join(dir, 'store') });
    await migrate(store);
    await seed(store, {
      project: 'test',
      days: 7,
      eventsPerDay: 3000,
      seed: 11,
      end: '2026-03-07',
      tz: 'UTC',
      now: Date.UTC(2026, 2, 8),
    });
    await store.insert(
      'dead_letters',
      [
        {
          received_at: '2026-03-03 10:00:00',
          project: 'test',
          source: 'native',
          reason: 'bad_json: x',
          envelope_id: 'e',
          payload: '',
        },
      ],
      'dl',
    );
  });
  after(async () => {
    await store?.close();
  });

  /** What the ClickHouse data source does to panel SQL, for a fixed range. */
  function expand(sql: string): string {
    return sql
      .replaceAll(`'\${project}'`, "'test'")
      .replace(/\$__timeFilter\(([^)]+)\)/g, `$1 >= toDateTime('${FROM}') AND $1 <= toDateTime('${TO}')`)
      .replace(/\$__timeInterval\(([^)]+)\)/g, 'toStartOfInterval(toDateTime($1), INTERVAL 3600 second)')
      .replaceAll('$__fromTime', `toDateTime('${FROM}')`)
      .replaceAll('$__toTime', `toDateTime('${TO}')`);
  }

  for (const file of fs.readdirSync(path.join(DEPLOY, 'grafana/dashboards'))) {
    it(`${file}: every panel's SQL runs; event and log panels return rows`, async () => {
      const dashboard = JSON.parse(
        fs.readFileSync(path.join(DEPLOY, 'grafana/dashboards', file), 'utf8'),
      ) as {
        uid: string;
        panels: Array<{ title: string; targets: Array<{ rawSql: string }> }>;
      };
      assert.ok(dashboard.panels.length > 0);
      for (const panel of dashboard.panels)
        for (const t of panel.targets) {
          const sql = expand(t.rawSql);
          assert.doesNotMatch(sql, /\$__|\$\{/, `${panel.title}: every macro expanded`);
          const rows = await store.query<Record<string, unknown>>(sql);
          // Realtime panels look at "now", which the seeded week is not.
          if (dashboard.uid !== 'sightline-realtime')
            assert.ok(rows.length > 0, `${file} · ${panel.title} returns rows`);
        }
    });
  }

  it('the data source and dashboard providers are provisioned', () => {
    const ds = YAML.parse(
      fs.readFileSync(path.join(DEPLOY, 'grafana/provisioning/datasources/clickhouse.yaml'), 'utf8'),
    );
    assert.equal(ds.datasources[0].type, 'grafana-clickhouse-datasource');
    assert.equal(ds.datasources[0].uid, 'sightline-clickhouse');
    const providers = YAML.parse(
      fs.readFileSync(path.join(DEPLOY, 'grafana/provisioning/dashboards/sightline.yaml'), 'utf8'),
    );
    assert.equal(providers.providers[0].options.path, '/var/lib/grafana-dashboards');
  });
});
