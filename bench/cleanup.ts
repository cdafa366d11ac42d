/**
 * Nothing the harness starts may outlive it: child processes are killed and temp dirs removed on normal exit,
 * on an uncaught error and on ctrl-C / SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function trackDir(dir: string): void {
  dirs.add(dir);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** Synchronous on purpose: it also runs from the `exit` event, where nothing asynchronous happens anymore. */
export function cleanupNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

export function installCleanupHandlers(onSignal: (signal: NodeJS.Signals) => void): void {
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      onSignal(signal);
      cleanupNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}
