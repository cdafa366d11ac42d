/** Starts a server under test as a child process, waits until it is ready, stops it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackChild } from './cleanup.ts';

export interface ServerSpec {
  name: string;
  /** Arguments after the Node binary (the harness's own Node is used). */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  port: number;
  readyTimeoutMs: number;
}

export interface RunningServer {
  name: string;
  pid: number;
  baseUrl: string;
  /** Output lines (stdout and stderr) the server wrote, the last 200. */
  logTail(): string[];
  /** Lines written in total. */
  logLines(): number;
  stop(): Promise<void>;
}

export class HarnessError extends Error {}

/** A port nobody listens on right now: bind port 0, read what the kernel chose, release it. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address !== 'object') throw new HarnessError('could not get a free port');
  return address.port;
}

function collectLines(child: ChildProcess, tail: string[], onLine: () => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        onLine();
        tail.push(line);
        if (tail.length > 200) tail.shift();
      }
    });
  }
}

async function waitReady(
  child: ChildProcess,
  spec: ServerSpec,
  baseUrl: string,
  tail: string[],
): Promise<void> {
  const deadline = Date.now() + spec.readyTimeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new HarnessError(
        `${spec.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n  ${tail.slice(-15).join('\n  ')}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `GET /ready answered ${response.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new HarnessError(
    `${spec.name} not ready after ${spec.readyTimeoutMs / 1000} s (${last}); last output:\n  ${tail.slice(-15).join('\n  ')}`,
  );
}

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const child = spawn(process.execPath, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const tail: string[] = [];
  let lines = 0;
  collectLines(child, tail, () => lines++);
  const spawnError = await Promise.race([
    once(child, 'spawn').then(() => undefined),
    once(child, 'error').then(([err]) => err as Error),
  ]);
  if (spawnError) throw new HarnessError(`cannot start ${spec.name}: ${spawnError.message}`);
  const baseUrl = `http://127.0.0.1:${spec.port}`;
  try {
    await waitReady(child, spec, baseUrl, tail);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    name: spec.name,
    pid: child.pid!,
    baseUrl,
    logTail: () => tail.slice(),
    logLines: () => lines,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
