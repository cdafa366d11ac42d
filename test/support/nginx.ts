/**
 * Debian's nginx for tests: the shipped config from deploy/nginx, adapted to loopback (upstream hosts → 127.0.0.1
 * ports, listen port), wrapped in a minimal main config with a private prefix, started in the foreground.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './server-process.ts';

export const NGINX = '/usr/sbin/nginx';

export interface NginxOptions {
  dir: string;
  /** File under deploy/nginx. */
  config: string;
  listen: number;
  /** `host:port` in the shipped file → `127.0.0.1:port`. */
  upstreams: Record<string, number>;
  /** Extra lines for the http block (e.g. `set_real_ip_from 127.0.0.1;`). */
  httpExtra?: string[];
}

export function adaptedConfig(options: NginxOptions): string {
  let text = fs.readFileSync(path.join(ROOT, 'deploy/nginx', options.config), 'utf8');
  for (const [host, port] of Object.entries(options.upstreams))
    text = text.replace(new RegExp(`\\b${host.replace('.', '\\.')}\\b`, 'g'), `127.0.0.1:${port}`);
  text = text.replace(/listen\s+80;/g, `listen 127.0.0.1:${options.listen};`);
  const prefix = options.dir;
  for (const d of ['logs', 'tmp']) fs.mkdirSync(path.join(prefix, d), { recursive: true });
  fs.writeFileSync(path.join(prefix, options.config), text);
  return `daemon off;
worker_processes 1;
user root;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  ${(options.httpExtra ?? []).join('\n  ')}
  include ${prefix}/${options.config};
}
`;
}

/** `nginx -t` on the adapted config; throws with nginx's own message when it fails. */
export function testConfig(options: NginxOptions): string {
  const main = path.join(options.dir, 'nginx.conf');
  fs.writeFileSync(main, adaptedConfig(options));
  // nginx -t reports on stderr; a failing check throws with its message.
  const run = spawnSync(NGINX, ['-t', '-c', main, '-p', options.dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`nginx -t failed:\n${run.stderr}`);
  return `${run.stdout}${run.stderr}`;
}

export async function startNginx(
  options: NginxOptions,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const main = path.join(options.dir, 'nginx.conf');
  fs.writeFileSync(main, adaptedConfig(options));
  const child = spawn(NGINX, ['-c', main, '-p', options.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${options.listen}/nginx-health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGQUIT');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
