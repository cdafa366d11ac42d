/** `sightline serve` inside the test process (one per test file: chDB allows one data folder per process). */
import { type RunningServer, startServe } from '../../src/cli/roles.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { tempDir } from './temp-dir.ts';

export const ADMIN = 'test-admin-token-0123456789';

export async function startInProcess(
  env: Record<string, string> = {},
): Promise<RunningServer & { dataDir: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = tempDir('srv');
  const config = loadConfig({
    SIGHTLINE_PORT: '0',
    SIGHTLINE_HOST: '127.0.0.1',
    SIGHTLINE_DATA_DIR: dir,
    SIGHTLINE_PROJECTS: 'app,website,locked:secret-key-123',
    SIGHTLINE_ADMIN_TOKEN: ADMIN,
    SIGHTLINE_BATCH_MAX_WAIT_MS: '100',
    ...env,
  });
  const server = await startServe(config, createLogger('silent'));
  return {
    ...server,
    dataDir: dir,
    cleanup: async () => {
      await server.close();
      cleanup();
    },
  };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {}, headers: res.headers };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
