/**
 * Runs SQL through clickhouse-go v2 over HTTP — the driver inside Grafana's ClickHouse data source — against a
 * ClickHouse-compatible endpoint (test/store/clickhouse-go/main.go). The client is built once per run into
 * .cache/ (Go's build cache makes later builds instant); modules come from the Go proxy, pinned by go.sum.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './server-process.ts';

const run = promisify(execFile);
const SOURCE = path.join(ROOT, 'test/store/clickhouse-go');
const BINARY = path.join(ROOT, '.cache/clickhouse-go-client/client');

export interface GoResult {
  name: string;
  columns?: Array<{ name: string; type: string }>;
  rows?: unknown[][];
  error?: string;
}

function goBinary(): string {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/go/bin'])
    if (dir && fs.existsSync(path.join(dir, 'go'))) return path.join(dir, 'go');
  throw new Error(
    'the Go toolchain (go ≥ 1.24) is needed to build the clickhouse-go client: none on PATH or in /usr/local/go/bin',
  );
}

let built: Promise<void> | undefined;

function build(): Promise<void> {
  built ??= run(goBinary(), ['build', '-mod=readonly', '-o', BINARY, '.'], {
    cwd: SOURCE,
    env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
    timeout: 300_000,
  }).then(
    () => undefined,
    (err: Error & { stderr?: string }) => {
      throw new Error(`building the clickhouse-go client failed: ${err.stderr ?? err.message}`);
    },
  );
  return built;
}

/** Each query's columns and rows (or the driver's error), by name. */
export async function queryWithClickHouseGo(
  address: string,
  password: string,
  queries: Record<string, string>,
): Promise<Map<string, GoResult>> {
  await build();
  const child = execFile(BINARY, [address, password], { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  child.stdin?.end(JSON.stringify(queries));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`clickhouse-go client exited ${code}: ${stderr}`);
  const results = new Map<string, GoResult>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as GoResult;
    results.set(r.name, r);
  }
  return results;
}
