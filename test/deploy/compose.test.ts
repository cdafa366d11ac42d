// deploy/docker-compose.yml without a Docker engine: Debian's docker-compose (1.29) must accept it (`config`
// interpolates deploy/.env.example and validates the file), and the resolved stack must be the one docs/scale-out.md
// describes in its service table — image, published ports, volumes, health check and restart policy of every
// service — plus the wiring that table does not show: roles and their log/store, depends_on conditions, Kafka's
// KRaft and retention, Grafana's plugin and provisioning mounts, ClickHouse's override files, data-folder owners.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import YAML from 'yaml';
import { SECRET_TABLES } from '../../src/store/sql-guard-names.ts';
import { ROOT } from '../support/server-process.ts';

const DEPLOY = path.join(ROOT, 'deploy');
const COMPOSE = path.join(DEPLOY, 'docker-compose.yml');
const ENV_EXAMPLE = path.join(DEPLOY, '.env.example');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  user?: string;
  ports?: Array<string | { published: number | string; target: number; host_ip?: string }>;
  volumes?: Array<string | { source: string; target: string; read_only?: boolean }>;
  healthcheck?: { test: string[] | string };
  restart?: string;
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }> | string[];
}

function composeConfig(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync('docker-compose', [...args, '-f', COMPOSE, 'config'], {
    encoding: 'utf8',
    env,
    cwd: ROOT,
  });
}

/** `[ip:]published→target`, whatever form docker-compose printed. */
function ports(s: Service): string[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p !== 'string') return `${p.host_ip ? `${p.host_ip}:` : ''}${p.published}→${p.target}`;
    const parts = p.replace(/\/tcp$/, '').split(':');
    const target = parts.pop();
    return `${parts.join(':')}→${target}`;
  });
}

/** `host → target (ro)`, host relative to the repository. */
function volumes(s: Service): string[] {
  return (s.volumes ?? []).map((v) => {
    const [source, target, mode] =
      typeof v === 'string' ? v.split(':') : [v.source, v.target, v.read_only ? 'ro' : 'rw'];
    return `${path.relative(ROOT, source)} → ${target}${mode === 'ro' ? ' (ro)' : ''}`;
  });
}

function healthcheck(s: Service): string {
  const test = s.healthcheck?.test;
  return Array.isArray(test) ? test.slice(1).join(' ') : (test ?? '');
}

interface Documented {
  service: string;
  image: string;
  ports: string[];
  volumes: string[];
  health: string | undefined;
  restart: string;
}

/** The service table of docs/scale-out.md ("## The compose stack"). */
function documentedServices(): Documented[] {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/scale-out.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('The compose stack'));
  assert.ok(section, 'docs/scale-out.md has a "## The compose stack" section');
  const rows = section
    .split('\n')
    .filter((l) => /^\|\s*`/.test(l))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  assert.ok(rows.length > 0, 'the section has a service table');
  const spans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  const pairs = (cell: string, arrow: string) =>
    [...cell.matchAll(/`([^`]+)` → `([^`]+)`( \(ro\))?/g)].map(
      (m) => `${m[1]}${arrow}${m[2]}${m[3] ? ' (ro)' : ''}`,
    );
  return rows.map(([service, image, port, volume, health, restart]) => ({
    service: spans(service)[0],
    image: spans(image)[0],
    ports: pairs(port, '→'),
    volumes: pairs(volume, ' → '),
    health: spans(health)[0],
    restart: spans(restart)[0],
  }));
}

describe('docker-compose.yml', () => {
  let services: Record<string, Service>;
  let raw: { services: Record<string, Service> };

  before(() => {
    const run = composeConfig(['--env-file', ENV_EXAMPLE]);
    assert.equal(run.status, 0, `docker-compose config failed:\n${run.stderr}`);
    services = (YAML.parse(run.stdout) as { services: Record<string, Service> }).services;
    raw = YAML.parse(fs.readFileSync(COMPOSE, 'utf8'), { merge: true }) as typeof raw;
  });

  it('is valid for docker-compose and resolves with deploy/.env.example', () => {
    const help = execFileSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
    assert.match(help, /^\d+\.\d+/);
    assert.ok(Object.keys(services).length > 0);
  });

  it('refuses to resolve without the secrets, naming them', () => {
    const run = composeConfig([], { PATH: process.env.PATH ?? '' });
    assert.notEqual(run.status, 0);
    assert.match(
      run.stderr,
      /SIGHTLINE_ADMIN_TOKEN|CLICKHOUSE_PASSWORD|CLICKHOUSE_GRAFANA_PASSWORD|GRAFANA_ADMIN/,
    );
  });

  it('every variable the file reads is in deploy/.env.example', () => {
    const used = new Set([...fs.readFileSync(COMPOSE, 'utf8').matchAll(/\$\{(\w+)/g)].map((m) => m[1]));
    const example = new Set(
      [...fs.readFileSync(ENV_EXAMPLE, 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]),
    );
    for (const name of used) assert.ok(example.has(name), `${name} is in .env.example`);
  });

  it('has exactly the services docs/scale-out.md lists, each as the table says', () => {
    const documented = documentedServices();
    assert.deepEqual(documented.map((d) => d.service).sort(), Object.keys(services).sort());
    for (const d of documented) {
      const s = services[d.service];
      assert.equal(s.image, d.image, `${d.service}: image`);
      assert.deepEqual(ports(s).sort(), d.ports.sort(), `${d.service}: published ports`);
      assert.deepEqual(volumes(s).sort(), d.volumes.sort(), `${d.service}: volumes`);
      assert.equal(s.restart, d.restart, `${d.service}: restart policy`);
      if (d.health === undefined) assert.equal(s.healthcheck, undefined, `${d.service}: no health check`);
      else assert.ok(healthcheck(s).includes(d.health), `${d.service}: health check ${healthcheck(s)}`);
    }
  });

  it('gives every long-running service a health check and a restart policy; only data-init is one-shot', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name === 'data-init') {
        assert.equal(s.restart, 'no');
        continue;
      }
      assert.ok(healthcheck(s).length > 0, `${name} has a health check`);
      assert.equal(s.restart, 'unless-stopped', `${name} restarts`);
    }
  });

  it('runs the Sightline roles from one image on Kafka and ClickHouse', () => {
    const roles: Record<string, string> = {
      'collect-1': 'collect',
      'collect-2': 'collect',
      'process-1': 'process',
      'process-2': 'process',
      api: 'api',
    };
    for (const [name, role] of Object.entries(roles)) {
      const s = services[name];
      assert.equal(s.image, 'sightline:latest');
      assert.deepEqual(s.build, { context: ROOT, dockerfile: 'deploy/Dockerfile' });
      assert.deepEqual(s.command, [role]);
      assert.equal(s.environment?.SIGHTLINE_LOG, 'kafka://kafka:9092');
      assert.equal(
        s.environment?.SIGHTLINE_STORE,
        'http://sightline:change-me-clickhouse-password@clickhouse:8123/sightline',
      );
      assert.ok(
        String(s.environment?.SIGHTLINE_TRUST_PROXY).includes('172.16.0.0/12'),
        `${name} trusts nginx`,
      );
    }
    const roleServices = Object.entries(services).filter(([, s]) => s.image === 'sightline:latest');
    assert.equal(roleServices.length, Object.keys(roles).length, 'no other service runs the Sightline image');
  });

  it('starts in order: each service waits for what it needs to be healthy (data-init: completed)', () => {
    const expected: Record<string, Record<string, string>> = {
      nginx: {
        'collect-1': 'service_healthy',
        'collect-2': 'service_healthy',
        api: 'service_started',
        grafana: 'service_started',
      },
      'collect-1': { kafka: 'service_healthy', 'data-init': 'service_completed_successfully' },
      'collect-2': { kafka: 'service_healthy', 'data-init': 'service_completed_successfully' },
      'process-1': {
        kafka: 'service_healthy',
        clickhouse: 'service_healthy',
        'data-init': 'service_completed_successfully',
      },
      'process-2': {
        kafka: 'service_healthy',
        clickhouse: 'service_healthy',
        'data-init': 'service_completed_successfully',
      },
      api: { clickhouse: 'service_healthy', 'data-init': 'service_completed_successfully' },
      kafka: { 'data-init': 'service_completed_successfully' },
      clickhouse: { 'data-init': 'service_completed_successfully' },
      grafana: { clickhouse: 'service_healthy', 'data-init': 'service_completed_successfully' },
    };
    for (const [name, s] of Object.entries(services)) {
      const deps = Object.fromEntries(
        Object.entries((s.depends_on ?? {}) as Record<string, { condition: string }>).map(([k, v]) => [
          k,
          v.condition,
        ]),
      );
      assert.deepEqual(deps, expected[name] ?? {}, `${name} depends_on`);
    }
  });

  it('Kafka: one KRaft node, 7-day retention, no auto-created topics, a loopback listener for shippers', () => {
    const env = services.kafka.environment ?? {};
    assert.equal(env.KAFKA_PROCESS_ROLES, 'broker,controller');
    assert.equal(String(env.KAFKA_CONTROLLER_QUORUM_VOTERS), '1@kafka:9093');
    assert.equal(String(env.KAFKA_LOG_RETENTION_HOURS), '168');
    assert.equal(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE, 'false');
    assert.equal(env.KAFKA_LOG_DIRS, '/var/lib/kafka/data');
    assert.match(
      String(env.KAFKA_ADVERTISED_LISTENERS),
      /^PLAINTEXT:\/\/kafka:9092,EXTERNAL:\/\/localhost:9094$/,
    );
    for (const role of ['collect-1', 'process-1'])
      assert.equal(String(services[role].environment?.SIGHTLINE_KAFKA_RETENTION_HOURS), '168');
  });

  it('Grafana: the ClickHouse plugin, served under /grafana/, provisioning and dashboards mounted where it reads them', () => {
    const env = services.grafana.environment ?? {};
    assert.match(String(env.GF_INSTALL_PLUGINS), /(^|,)grafana-clickhouse-datasource(\s|,|$)/);
    assert.equal(env.GF_SERVER_SERVE_FROM_SUB_PATH, 'true');
    assert.match(String(env.GF_SERVER_ROOT_URL), /\/grafana\/$/);
    const provider = YAML.parse(
      fs.readFileSync(path.join(DEPLOY, 'grafana/provisioning/dashboards/sightline.yaml'), 'utf8'),
    ) as { providers: Array<{ options: { path: string } }> };
    const mounts = volumes(services.grafana);
    assert.ok(mounts.includes('deploy/grafana/provisioning → /etc/grafana/provisioning (ro)'));
    const dashboardsMount = mounts.find((m) => m.startsWith('deploy/grafana/dashboards → '));
    assert.equal(dashboardsMount, `deploy/grafana/dashboards → ${provider.providers[0].options.path} (ro)`);
    const home = String(env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    assert.ok(home.startsWith(`${provider.providers[0].options.path}/`));
    assert.ok(fs.existsSync(path.join(DEPLOY, 'grafana/dashboards', path.basename(home))), home);
    // The data source's $VARIABLES must be in Grafana's environment.
    const ds = JSON.stringify(
      YAML.parse(
        fs.readFileSync(path.join(DEPLOY, 'grafana/provisioning/datasources/clickhouse.yaml'), 'utf8'),
      ),
    );
    const referenced = [...ds.matchAll(/\$(\w+)/g)].map((m) => m[1]);
    assert.deepEqual(referenced.sort(), ['CLICKHOUSE_DB', 'CLICKHOUSE_GRAFANA_PASSWORD']);
    for (const name of referenced) assert.ok(name in env, `Grafana's environment has ${name}`);
  });

  it('ClickHouse: the config/users overrides exist, are well-formed, and give Grafana a read-only user', () => {
    for (const mount of volumes(services.clickhouse).filter((m) => m.startsWith('deploy/'))) {
      const file = path.join(ROOT, mount.split(' → ')[0]);
      const check = spawnSync(
        '/usr/bin/python3',
        ['-c', 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])', file],
        { encoding: 'utf8' },
      );
      assert.equal(check.status, 0, `${mount}: well-formed XML\n${check.stderr}`);
    }
    const users = fs.readFileSync(path.join(DEPLOY, 'clickhouse/users.xml'), 'utf8');
    assert.match(users, /<grafana>[\s\S]*<profile>grafana_readonly<\/profile>[\s\S]*<\/grafana>/);
    assert.match(users, /<grafana_readonly>[\s\S]*<readonly>2<\/readonly>[\s\S]*<\/grafana_readonly>/);
    // readonly=2 does not stop table functions: explicit grants do (no source privileges), and the secret tables
    // the compatible endpoint refuses are revoked for Grafana too.
    const grants = [...users.matchAll(/<query>([^<]+)<\/query>/g)].map((m) => m[1]);
    assert.ok(grants.includes('GRANT SELECT ON sightline.*'), grants.join('; '));
    assert.ok(!grants.some((g) => /\b(FILE|URL|REMOTE|S3|SOURCES|ALL)\b/.test(g)), 'no source privileges');
    for (const table of SECRET_TABLES)
      assert.ok(grants.includes(`REVOKE SELECT ON sightline.${table}`), `${table} revoked for Grafana`);
    assert.match(users, /<password from_env="CLICKHOUSE_GRAFANA_PASSWORD" \/>/);
    assert.equal(
      services.clickhouse.environment?.CLICKHOUSE_GRAFANA_PASSWORD,
      services.grafana.environment?.CLICKHOUSE_GRAFANA_PASSWORD,
    );
  });

  it('every config mounted from deploy/ exists', () => {
    for (const [name, s] of Object.entries(services))
      for (const mount of volumes(s).filter((m) => m.startsWith('deploy/')))
        assert.ok(fs.existsSync(path.join(ROOT, mount.split(' → ')[0])), `${name}: ${mount}`);
  });

  it('data-init gives each data folder to the user its service runs as', () => {
    const command = (raw.services['data-init'].command as string[]).join(' ');
    const uid = /--uid (\d+)/.exec(fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8'))?.[1];
    assert.ok(uid, 'the Dockerfile creates its user with a fixed uid');
    // Kafka's appuser, Grafana's user, the ClickHouse image's clickhouse user (its entrypoint chowns its data folder,
    // not the backups).
    const owners: Record<string, string> = {
      kafka: '1000:1000',
      grafana: '472:0',
      'clickhouse-backups': '101:101',
    };
    let checked = 0;
    for (const s of Object.values(services)) {
      for (const mount of volumes(s).filter((m) => /^data\/[^/]+ → /.test(m))) {
        const folder = mount.split(' → ')[0].slice('data/'.length);
        assert.ok(command.includes(`/stack/${folder}`), `data-init creates ${folder}`);
        if (folder === 'clickhouse') continue;
        const owner = s.image === 'sightline:latest' ? `${uid}:${uid}` : owners[folder];
        assert.ok(owner, `${folder}: a known owner`);
        checked++;
        const chown = new RegExp(`chown -R ${owner} [^&]*/stack/${folder}(\\s|$)`);
        assert.match(command, chown, `${folder} belongs to ${owner}`);
      }
    }
    assert.equal(checked, 8, 'every data folder but ClickHouse’s own was checked');
  });

  it('keeps data where DATA_DIR says', () => {
    const run = composeConfig(['--env-file', ENV_EXAMPLE], { ...process.env, DATA_DIR: '/srv/sightline' });
    assert.equal(run.status, 0, run.stderr);
    const moved = (YAML.parse(run.stdout) as { services: Record<string, Service> }).services;
    assert.ok(volumes(moved.kafka).some((m) => m.endsWith('srv/sightline/kafka → /var/lib/kafka/data')));
  });
});
