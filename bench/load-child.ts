/** Runs `load.ts` as a separate process and returns its JSON result; phase changes arrive over IPC. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackChild } from './cleanup.ts';
import { HarnessError } from './servers.ts';
import type { LoadParams, LoadPhaseMessage, LoadResult } from './types.ts';

const LOAD_SCRIPT = fileURLToPath(new URL('./load.ts', import.meta.url));

function isPhaseMessage(message: unknown): message is LoadPhaseMessage {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'phase';
}

function isLoadResult(value: unknown): value is LoadResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<LoadResult>;
  return typeof r.reqPerSec === 'number' && typeof r.totalAcceptedEvents === 'number' && !!r.latencyMs;
}

export function runLoadProcess(
  params: LoadParams,
  onPhase: (m: LoadPhaseMessage) => void,
): Promise<LoadResult> {
  const args = [
    LOAD_SCRIPT,
    '--url',
    params.url,
    '--connections',
    String(params.connections),
    '--warmup',
    String(params.warmupSeconds),
    '--duration',
    String(params.durationSeconds),
    '--batch-size',
    String(params.batchSize),
    '--timeout',
    String(params.timeoutMs),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => {
    stdout += t;
  });
  child.stderr?.setEncoding('utf8').on('data', (t: string) => {
    stderr += t;
  });
  child.on('message', (message: unknown) => {
    if (isPhaseMessage(message)) onPhase(message);
  });
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new HarnessError(`cannot start the load generator: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code !== 0) {
        reject(
          new HarnessError(`load generator failed (${code ?? signal}): ${stderr.trim() || 'no output'}`),
        );
        return;
      }
      try {
        const parsed: unknown = JSON.parse(stdout);
        if (!isLoadResult(parsed)) throw new Error('unexpected shape');
        resolve(parsed);
      } catch (err) {
        reject(
          new HarnessError(
            `load generator printed no result (${(err as Error).message}): ${stdout.slice(0, 200)}`,
          ),
        );
      }
    });
  });
}
