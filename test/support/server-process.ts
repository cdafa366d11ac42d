/** Starts `sightline serve` as a child process on a free port with its own data folder — as a user would. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './free-port.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  /** Resolves with the exit code/signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function waitReady(url: string, timeoutMs = 60_000, probe = '/ready'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}${probe}`);
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} not ready after ${timeoutMs} ms (${last})`);
}

export async function startServerProcess(
  dataDir: string,
  env: Record<string, string> = {},
  port?: number,
  probe = '/ready',
  command: 'serve' | 'collect' | 'process' | 'api' = 'serve',
): Promise<ServerProcess> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), command], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SIGHTLINE_PORT: String(p),
      SIGHTLINE_HOST: '127.0.0.1',
      SIGHTLINE_DATA_DIR: dataDir,
      SIGHTLINE_PROJECTS: 'app,website',
      SIGHTLINE_ADMIN_TOKEN: ADMIN_TOKEN,
      SIGHTLINE_LOG_LEVEL: 'warn',
      SIGHTLINE_BATCH_MAX_WAIT_MS: '200',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${p}`;
  const early = exited.then((e) => {
    throw new Error(`server exited before ready (${e.code ?? e.signal}):\n${out}`);
  });
  await Promise.race([waitReady(url, 60_000, probe), early]);
  early.catch(() => undefined);
  return { child, url, port: p, output: () => out, exited };
}
