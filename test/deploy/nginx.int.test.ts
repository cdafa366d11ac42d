// deploy/nginx/*.conf with Debian's nginx: each shipped file, its upstream hosts mapped to 127.0.0.1 ports by text
// substitution, included in a temporary main config and checked with `nginx -t`; then run for real in front of
// tiny node:http upstreams: the per-IP limit answers 429 past the burst (and only to that address), the client's
// address reaches the collectors, big bodies are refused, /metrics stays private, and the dashboard port routes
// the api and Grafana (under /grafana/) and slows login guessing.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { freePort } from '../support/free-port.ts';
import { ROOT } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const NGINX = '/usr/sbin/nginx';
const SHIPPED = path.join(ROOT, 'deploy/nginx');
const { dir, cleanup } = tempDir('deploy-nginx');
after(cleanup);

/** `host:port` of the shipped file → a loopback port; `listen N;` → a loopback port. */
interface Mapping {
  upstreams: Record<string, number>;
  listens: Record<string, number>;
}

function adapt(file: string, map: Mapping): string {
  let text = fs.readFileSync(path.join(SHIPPED, file), 'utf8');
  for (const [host, port] of Object.entries(map.upstreams)) {
    const pattern = new RegExp(`(\\bserver\\s+)${host.replaceAll('.', '\\.')}(?=[\\s;])`, 'g');
    assert.match(text, pattern, `${file} has the upstream server ${host}`);
    text = text.replace(pattern, `$1127.0.0.1:${port}`);
  }
  for (const [listen, port] of Object.entries(map.listens)) {
    const pattern = new RegExp(`listen\\s+${listen};`, 'g');
    assert.match(text, pattern, `${file} listens on ${listen}`);
    text = text.replace(pattern, `listen 127.0.0.1:${port};`);
  }
  assert.doesNotMatch(text, /server\s+[a-z][\w.-]*:\d+/, `${file}: every upstream host was mapped`);
  return text;
}

/** A main config in its own prefix that includes the adapted files inside `http { }`. */
function mainConfig(name: string, files: Array<{ file: string; map: Mapping }>, httpExtra = ''): string {
  const prefix = path.join(dir, name);
  for (const d of ['logs', 'tmp', 'conf.d']) fs.mkdirSync(path.join(prefix, d), { recursive: true });
  const includes = files.map(({ file, map }) => {
    const target = path.join(prefix, 'conf.d', file);
    fs.writeFileSync(target, adapt(file, map));
    return `  include ${target};`;
  });
  const main = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(
    main,
    `daemon off;
user root;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
${httpExtra}
${includes.join('\n')}
}
`,
  );
  return main;
}

function nginxT(main: string): { ok: boolean; output: string } {
  const run = spawnSync(NGINX, ['-t', '-c', main, '-p', path.dirname(main)], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

const analytics = (a: number, b: number, listen: number): { file: string; map: Mapping } => ({
  file: 'analytics.conf',
  map: { upstreams: { 'collect-1:8080': a, 'collect-2:8080': b }, listens: { '80': listen } },
});
const dashboard = (api: number, grafana: number, listen: number): { file: string; map: Mapping } => ({
  file: 'dashboard.conf',
  map: { upstreams: { 'api:8080': api, 'grafana:3000': grafana }, listens: { '8081': listen } },
});

describe('nginx -t', () => {
  it('analytics.conf passes', () => {
    const result = nginxT(mainConfig('t-analytics', [analytics(18081, 18082, 18080)]));
    assert.ok(result.ok, result.output);
    assert.match(result.output, /syntax is ok/);
  });

  it('dashboard.conf passes', () => {
    const result = nginxT(mainConfig('t-dashboard', [dashboard(18091, 18092, 18090)]));
    assert.ok(result.ok, result.output);
  });

  it('both pass together in one http block, as the compose stack mounts them into conf.d', () => {
    const result = nginxT(
      mainConfig('t-both', [analytics(18081, 18082, 18080), dashboard(18091, 18092, 18090)]),
    );
    assert.ok(result.ok, result.output);
  });

  it('the check itself fails on a broken file (so the passes above mean something)', () => {
    const main = mainConfig('t-broken', [analytics(18081, 18082, 18080)]);
    const conf = path.join(dir, 't-broken/conf.d/analytics.conf');
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('burst=100', 'burst=100 sometimes'));
    assert.equal(nginxT(main).ok, false);
  });

  it('the upstream hosts are services of the compose stack', () => {
    const compose = YAML.parse(fs.readFileSync(path.join(ROOT, 'deploy/docker-compose.yml'), 'utf8')) as {
      services: Record<string, unknown>;
    };
    for (const file of ['analytics.conf', 'dashboard.conf']) {
      const hosts = [
        ...fs.readFileSync(path.join(SHIPPED, file), 'utf8').matchAll(/server\s+([a-z][\w-]*):\d+/g),
      ];
      assert.ok(hosts.length > 0);
      for (const [, host] of hosts) assert.ok(host in compose.services, `${file}: ${host} is a service`);
    }
  });
});

interface Upstream {
  port: number;
  seen: Array<{ url: string; realIp: string | undefined; forwardedFor: string | undefined }>;
  server: http.Server;
}

async function upstream(name: string): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        realIp: req.headers['x-real-ip'] as string | undefined,
        forwardedFor: req.headers['x-forwarded-for'] as string | undefined,
      });
      res.writeHead(202, { 'content-type': 'application/json', 'x-upstream': name });
      res.end('{"accepted":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen, server };
}

async function startNginx(main: string, port: number): Promise<ChildProcess> {
  const child = spawn(NGINX, ['-c', main, '-p', path.dirname(main)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/nginx-health`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopNginx(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGQUIT');
  await exited;
}

async function post(url: string, headers: Record<string, string> = {}, body = '{"type":"burst"}') {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  await res.arrayBuffer();
  return res;
}

describe('analytics.conf in front of two collectors', () => {
  let collectors: Upstream[];
  let nginx: ChildProcess;
  let port: number;

  before(async () => {
    collectors = [await upstream('collect-1'), await upstream('collect-2')];
    port = await freePort();
    // As behind a load balancer: the shipped file's commented set_real_ip_from, for the loopback balancer.
    const main = mainConfig(
      'live-analytics',
      [analytics(collectors[0].port, collectors[1].port, port)],
      '  set_real_ip_from 127.0.0.1;',
    );
    nginx = await startNginx(main, port);
  });
  after(async () => {
    await stopNginx(nginx);
    for (const c of collectors ?? []) c.server.close();
  });

  it('passes the first requests of a burst from one address, then answers 429 without bothering a collector', async () => {
    const client = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 160; i++) statuses.push((await post(`http://127.0.0.1:${port}/e`, client)).status);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(
      statuses.slice(0, 100).every((s) => s === 202),
      `the burst allowance (100) passes: ${statuses.slice(0, 100)}`,
    );
    assert.ok(statuses.includes(429), `past the limit: 429 (${[...new Set(statuses)]})`);
    assert.deepEqual([...new Set(statuses)].sort(), [202, 429]);
    const passed = statuses.filter((s) => s === 202).length;
    // 100 at once + 1 + 20 per second of the run, with a little slack for timing.
    assert.ok(passed <= 101 + Math.ceil(20 * seconds) + 2, `${passed} passed in ${seconds.toFixed(2)} s`);
    const reached = collectors.flatMap((c) => c.seen).filter((s) => s.realIp === '203.0.113.7').length;
    assert.equal(reached, passed, 'refused requests never reach a collector');
    assert.ok(
      collectors.every((c) => c.seen.length > 0),
      'both collectors take part',
    );
  });

  it('limits per client address: another address still passes, and its address reaches the collector', async () => {
    const res = await post(`http://127.0.0.1:${port}/e`, { 'x-forwarded-for': '198.51.100.23' });
    assert.equal(res.status, 202);
    const last = collectors
      .flatMap((c) => c.seen)
      .filter((s) => s.realIp === '198.51.100.23')
      .at(-1);
    assert.deepEqual(last, { url: '/e', realIp: '198.51.100.23', forwardedFor: '198.51.100.23' });
  });

  it('refuses bodies over 2 MB with 413, keeps /metrics private, answers its own health check', async () => {
    const big = await post(
      `http://127.0.0.1:${port}/e`,
      { 'x-forwarded-for': '192.0.2.50' },
      'x'.repeat(3 << 20),
    );
    assert.equal(big.status, 413);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(metrics.status, 404);
    await metrics.arrayBuffer();
    const health = await fetch(`http://127.0.0.1:${port}/nginx-health`);
    assert.equal(await health.text(), 'ok\n');
  });
});

describe('dashboard.conf in front of the api and Grafana', () => {
  let api: Upstream;
  let grafana: Upstream;
  let nginx: ChildProcess;
  let port: number;

  before(async () => {
    api = await upstream('api');
    grafana = await upstream('grafana');
    port = await freePort();
    nginx = await startNginx(mainConfig('live-dashboard', [dashboard(api.port, grafana.port, port)]), port);
  });
  after(async () => {
    await stopNginx(nginx);
    api?.server.close();
    grafana?.server.close();
  });

  it('routes /grafana/… to Grafana with the path kept, everything else to the api', async () => {
    const g = await fetch(`http://127.0.0.1:${port}/grafana/api/health`);
    assert.equal(g.headers.get('x-upstream'), 'grafana');
    await g.arrayBuffer();
    assert.equal(grafana.seen.at(-1)?.url, '/grafana/api/health');
    const a = await fetch(`http://127.0.0.1:${port}/api/v1/stats/overview?project=app`);
    assert.equal(a.headers.get('x-upstream'), 'api');
    await a.arrayBuffer();
    assert.equal(api.seen.at(-1)?.url, '/api/v1/stats/overview?project=app');
  });

  it('slows down login guessing: 429 after a few attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push(
        (await post(`http://127.0.0.1:${port}/api/v1/auth/login`, {}, '{"email":"a","password":"b"}')).status,
      );
    assert.deepEqual(statuses.slice(0, 6), [202, 202, 202, 202, 202, 202]);
    assert.ok(
      statuses.slice(6).every((s) => s === 429),
      String(statuses),
    );
  });
});
