// deploy/Dockerfile without a Docker engine: its stages and instructions are read and checked (multi-stage on
// node:24-slim, production packages only, non-root, HEALTHCHECK on /health, one ENTRYPOINT for every role), and its
// runtime stage is assembled from the checkout the way the build would assemble it — each COPY of the build context
// through deploy/Dockerfile.dockerignore, node_modules holding only the production packages of package-lock.json,
// the built dashboard — then started as the image's unprivileged user with the image's ENV, ENTRYPOINT and CMD. Its
// own HEALTHCHECK command must pass, and the server must take an event and serve the dashboard and the tracker.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.ts';
import { ROOT } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const DOCKERFILE = path.join(ROOT, 'deploy/Dockerfile');
const IGNORE = path.join(ROOT, 'deploy/Dockerfile.dockerignore');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    lines.push(`${pending}${line}`.trim());
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\w+)\s+([\s\S]*)$/.exec(line) ?? [];
    assert.ok(op, `an instruction: ${line}`);
    if (op.toUpperCase() === 'FROM') {
      const [from, as, name] = args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      assert.ok(stages.length > 0, 'FROM comes first');
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** COPY [--from=x] [--chown=…] src… dest */
function copyOf(i: Instruction): { from: string | undefined; sources: string[]; dest: string } {
  const words = i.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
}

/** deploy/Dockerfile.dockerignore as Docker reads it: a path is out when the last matching pattern is not a `!`. */
function dockerignore(): (relative: string) => boolean {
  const rules = fs
    .readFileSync(IGNORE, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => {
          if (part === '**/') return '(?:.*/)?';
          if (part === '**') return '.*';
          if (part === '*') return '[^/]*';
          if (part === '?') return '[^/]';
          return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      return { negate, re: new RegExp(`^${source}$`) };
    });
  return (relative) => {
    const parts = relative.split('/');
    let excluded = false;
    for (const rule of rules)
      for (let n = 1; n <= parts.length; n++)
        if (rule.re.test(parts.slice(0, n).join('/'))) {
          excluded = !rule.negate;
          break;
        }
    return excluded;
  };
}

const stages = parseDockerfile(fs.readFileSync(DOCKERFILE, 'utf8'));
const runtime = stages.at(-1) as Stage;
const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);
const execForm = (args: string): string[] => JSON.parse(args) as string[];

describe('deploy/Dockerfile', () => {
  it('is multi-stage on node:24-slim: production packages, the dashboard build, the runtime', () => {
    assert.deepEqual(
      stages.map((s) => [s.from, s.name]),
      [
        ['node:24-slim', 'deps'],
        ['node:24-slim', 'ui'],
        ['node:24-slim', undefined],
      ],
    );
    const deps = stages[0];
    assert.ok(
      ops(deps, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r.args)),
      'the deps stage installs production packages only',
    );
  });

  it('takes node_modules from the production stage and nothing but dist/ui from the build stage', () => {
    const fromStages = ops(runtime, 'COPY')
      .map(copyOf)
      .filter((c) => c.from);
    assert.deepEqual(
      fromStages.map((c) => [c.from, c.sources.join(' '), c.dest]),
      [
        ['deps', '/app/node_modules', './node_modules'],
        ['ui', '/app/dist/ui', './dist/ui'],
      ],
    );
    assert.equal(
      ops(runtime, 'RUN').filter((r) => /\bnpm\b/.test(r.args)).length,
      0,
      'no npm in the runtime stage',
    );
  });

  it('runs as a fixed non-root user, checks /health, one entrypoint for every role, serve by default', () => {
    const user = ops(runtime, 'USER').at(-1)?.args;
    assert.ok(user && !['root', '0', '0:0'].includes(user), `USER ${user}`);
    assert.ok(
      ops(runtime, 'RUN').some((r) => new RegExp(`useradd .*--uid \\d+ .*${user}`).test(r.args)),
      'the user is created with a fixed uid',
    );
    const health = ops(runtime, 'HEALTHCHECK')[0]?.args ?? '';
    assert.match(health, /CMD \[.*\/health/);
    assert.deepEqual(execForm(ops(runtime, 'ENTRYPOINT')[0].args), ['node', 'bin/sightline.js']);
    assert.deepEqual(execForm(ops(runtime, 'CMD')[0].args), ['serve']);
    assert.ok(ops(runtime, 'EXPOSE').some((e) => e.args === '8080'));
  });

  it('copies from the build context only what exists and what the .dockerignore lets through', () => {
    const ignored = dockerignore();
    for (const stage of stages)
      for (const copy of ops(stage, 'COPY')
        .map(copyOf)
        .filter((c) => !c.from))
        for (const source of copy.sources) {
          assert.ok(fs.existsSync(path.join(ROOT, source)), `${source} exists`);
          assert.equal(ignored(source), false, `${source} is not ignored`);
        }
    for (const out of [
      'node_modules',
      'src/node_modules',
      '.git',
      'data',
      'deploy/.env',
      'dist',
      'test',
      'x.log',
    ])
      assert.equal(ignored(out), true, `${out} stays out of the context`);
  });
});

describe('the runtime image, assembled from the checkout and started', () => {
  const { dir, cleanup } = tempDir('deploy-image');
  const image = path.join(dir, 'app');
  const data = path.join(dir, 'data');
  let child: ChildProcess | undefined;
  let output = '';
  let port: number;
  let env: Record<string, string>;
  const root = process.getuid?.() === 0;
  const uid = Number(/--uid (\d+)/.exec(fs.readFileSync(DOCKERFILE, 'utf8'))?.[1]);

  /** Files of the build context under `source`, through the .dockerignore. */
  function copyContext(source: string, dest: string, ignored: (p: string) => boolean): void {
    const from = path.join(ROOT, source);
    if (ignored(source)) return;
    if (fs.statSync(from).isDirectory()) {
      fs.mkdirSync(dest, { recursive: true });
      for (const entry of fs.readdirSync(from))
        copyContext(`${source}/${entry}`, path.join(dest, entry), ignored);
    } else {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.copyFileSync(from, dest);
    }
  }

  /** node_modules as `npm ci --omit=dev` leaves it: the lockfile's non-dev packages (hard links into the checkout). */
  function productionModules(dest: string): string[] {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const top = Object.entries(lock.packages).filter(
      ([key, meta]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !meta.dev,
    );
    const copied: string[] = [];
    for (const [key] of top) {
      const from = path.join(ROOT, key);
      if (!fs.existsSync(from)) continue; // an optional package for another platform
      const to = path.join(dest, key.slice('node_modules/'.length));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      execFileSync('cp', ['-al', from, to]);
      copied.push(key.slice('node_modules/'.length));
    }
    return copied;
  }

  before(async () => {
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(image);
    const ignored = dockerignore();
    let modules: string[] = [];
    for (const copy of ops(runtime, 'COPY').map(copyOf)) {
      const dest = path.join(image, copy.dest);
      if (copy.from === 'deps') modules = productionModules(dest);
      else if (copy.from === 'ui') {
        const built = path.join(ROOT, 'dist/ui');
        assert.ok(fs.existsSync(path.join(built, 'index.html')), 'the dashboard is built (npm run build:ui)');
        fs.cpSync(built, dest, { recursive: true });
      } else
        for (const source of copy.sources)
          copyContext(
            source,
            copy.dest.endsWith('/') ? path.join(dest, path.basename(source)) : dest,
            ignored,
          );
    }
    assert.ok(modules.includes('chdb') && modules.includes('fastify'), 'production packages are there');
    assert.ok(!modules.includes('vite') && !modules.includes('typescript'), 'dev packages are not');
    const resolves = (name: string) =>
      spawnSync(
        process.execPath,
        ['-e', `import('${name}').then(() => process.exit(0), () => process.exit(3))`],
        {
          cwd: image,
        },
      ).status;
    assert.equal(resolves('fastify'), 0, 'a production package resolves in the image');
    assert.equal(resolves('vite'), 3, 'a dev package does not');

    fs.mkdirSync(data);
    if (root) fs.chownSync(data, uid, uid);
    port = await freePort();
    const imageEnv: Record<string, string> = {};
    for (const e of ops(runtime, 'ENV'))
      for (const [, k, v] of e.args.matchAll(/(\w+)=(\S+)/g)) imageEnv[k as string] = v as string;
    assert.equal(imageEnv.SIGHTLINE_DATA_DIR, '/data');
    env = {
      PATH: process.env.PATH ?? '',
      HOME: data,
      ...imageEnv,
      // Where the container's /data and port are, here.
      SIGHTLINE_DATA_DIR: data,
      SIGHTLINE_PORT: String(port),
      SIGHTLINE_HOST: '127.0.0.1',
      SIGHTLINE_PROJECTS: 'app',
      SIGHTLINE_ADMIN_TOKEN: 'image-test-admin-token-0123',
      SIGHTLINE_BATCH_MAX_WAIT_MS: '100',
    };
    const [node, ...entry] = execForm(ops(runtime, 'ENTRYPOINT')[0].args);
    assert.equal(node, 'node');
    const cmd = execForm(ops(runtime, 'CMD')[0].args);
    child = spawn(process.execPath, [...entry, ...cmd], {
      cwd: image,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(root ? { uid, gid: uid } : {}),
    });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    cleanup();
  });

  it('becomes healthy by its own HEALTHCHECK command, as the unprivileged user', async () => {
    const health = ops(runtime, 'HEALTHCHECK')[0].args;
    const [node, ...args] = execForm(health.slice(health.indexOf('CMD') + 3).trim());
    assert.equal(node, 'node');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const probe = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
      if (probe.status === 0) break;
      assert.equal(child?.exitCode, null, `the server exited:\n${output}`);
      assert.ok(Date.now() < deadline, `not healthy in time:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    if (root) {
      const status = fs.readFileSync(`/proc/${child?.pid}/status`, 'utf8');
      assert.match(status, new RegExp(`^Uid:\\s+${uid}\\s`, 'm'), 'runs as the image user');
      assert.ok(
        fs.readdirSync(data).length > 0 && fs.statSync(path.join(data, fs.readdirSync(data)[0])).uid === uid,
        'writes its data as that user',
      );
    }
  });

  it('takes an event, stores it, serves the dashboard and the tracker', async () => {
    const base = `http://127.0.0.1:${port}`;
    const sent = await fetch(`${base}/e`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-app': 'app' },
      body: JSON.stringify({ type: 'pageview', path: '/from-the-image', session_id: 'img' }),
    });
    assert.equal(sent.status, 202, await sent.text());
    const day = new Date().toISOString().slice(0, 10);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`${base}/api/v1/stats/overview?project=app&from=${day}&to=${day}`, {
        headers: { authorization: 'Bearer image-test-admin-token-0123' },
      });
      const body = (await res.json()) as { pageviews?: number };
      if (res.ok && body.pageviews === 1) break;
      assert.ok(Date.now() < deadline, `the event was not stored: ${JSON.stringify(body)}\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<script/);
    const tracker = await fetch(`${base}/s.js`);
    assert.equal(tracker.status, 200);
    assert.match(tracker.headers.get('content-type') ?? '', /javascript/);
    await tracker.arrayBuffer();
  });
});
