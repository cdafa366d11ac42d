/**
 * The load generator, run as its own process so it never shares an event loop (or a core's time slice) with a
 * server under test. Closed loop: each of `--connections` keep-alive connections sends a request, waits for the
 * answer, sends the next. A warm-up is run and discarded, then the measured window. Throughput counts responses
 * received in the window; latency covers every request sent in the window, so requests still in flight when it
 * ends are awaited (up to `--timeout`) — otherwise a server stall at the end of the window would go unseen.
 *
 *   node bench/load.ts --url http://127.0.0.1:8080/e --connections 64 --warmup 2 --duration 10 --batch-size 1
 *
 * Prints one JSON `LoadResult` on stdout. With an IPC channel (spawned by run.ts) it reports phase changes.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ResponseParser } from './http-parser.ts';
import { buildRequests } from './payloads.ts';
import { mean, percentile, round, Samples } from './stats.ts';
import type { LoadParams, LoadPhaseMessage, LoadResult } from './types.ts';

function positive(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min)
    throw new Error(`load: --${name} must be a number >= ${min}, got "${raw}"`);
  return n;
}

export function parseLoadArgs(argv: string[]): LoadParams {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      'batch-size': { type: 'string' },
      timeout: { type: 'string' },
    },
    strict: true,
  });
  if (!values.url) throw new Error('load: --url is required (e.g. http://127.0.0.1:8080/e)');
  return {
    url: values.url,
    connections: Math.floor(positive('connections', values.connections, 64)),
    warmupSeconds: positive('warmup', values.warmup, 2, 0),
    durationSeconds: positive('duration', values.duration, 10, 0.1),
    batchSize: Math.floor(positive('batch-size', values['batch-size'], 1)),
    timeoutMs: positive('timeout', values.timeout, 30_000, 100),
  };
}

const ACCEPTED = /"accepted"\s*:\s*(\d+)/;

export function runLoad(params: LoadParams, onPhase: (m: LoadPhaseMessage) => void): Promise<LoadResult> {
  const url = new URL(params.url);
  const port = Number(url.port || 80);
  const requests = buildRequests(url, params.batchSize, params.batchSize === 1 ? 4096 : 16);
  const latencies = new Samples();
  const statusCounts: Record<string, number> = {};
  let next = 0;
  let running = true;
  let inFlight = 0;
  let measureStart = Number.POSITIVE_INFINITY;
  let measureEnd = Number.POSITIVE_INFINITY;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let totalAcceptedEvents = 0;
  const sockets = new Set<net.Socket>();
  let onIdle: (() => void) | undefined;

  const inWindow = (t: number) => t >= measureStart && t < measureEnd;

  const settle = () => {
    inFlight--;
    if (!running && inFlight === 0) onIdle?.();
  };

  const open = (): void => {
    const parser = new ResponseParser();
    const socket = net.connect({ host: url.hostname, port });
    let sentAt = -1;
    let dead = false;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(params.timeoutMs);

    const send = () => {
      if (!running) return;
      sentAt = performance.now();
      inFlight++;
      socket.write(requests[next++ % requests.length]!);
    };

    const die = () => {
      if (dead) return;
      dead = true;
      sockets.delete(socket);
      socket.destroy();
      if (inWindow(performance.now()) || (sentAt >= 0 && inWindow(sentAt))) errors++;
      if (sentAt >= 0) {
        sentAt = -1;
        settle();
      }
      // A refused connection must not spin: wait a little before replacing it.
      if (running) setTimeout(open, 20);
    };

    socket.on('connect', send);
    socket.on('timeout', die);
    socket.on('error', die);
    socket.on('close', die);
    socket.on('data', (chunk: Buffer) => {
      let responses: ReturnType<ResponseParser['push']>;
      try {
        responses = parser.push(chunk);
      } catch {
        die();
        return;
      }
      for (const response of responses) {
        const now = performance.now();
        if (sentAt < 0) {
          die();
          return;
        }
        const is2xx = response.status >= 200 && response.status < 300;
        if (is2xx) {
          const match = ACCEPTED.exec(response.body.toString('latin1'));
          totalAcceptedEvents += match ? Number(match[1]) : params.batchSize;
        }
        // Latency: every request sent in the window, even if answered after it (a stall must show).
        if (inWindow(sentAt)) latencies.add(now - sentAt);
        // Throughput: every response received in the window.
        if (inWindow(now)) {
          statusCounts[response.status] = (statusCounts[response.status] ?? 0) + 1;
          if (is2xx) ok++;
          else non2xx++;
        }
        sentAt = -1;
        settle();
        if (response.close) {
          // Replace the connection, but without counting an error: the server closed it politely.
          dead = true;
          sockets.delete(socket);
          socket.destroy();
          if (running) open();
          return;
        }
      }
      if (responses.length > 0) send();
    });
  };

  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(tailTimer);
      for (const socket of sockets) socket.destroy();
      const sorted = latencies.sorted();
      const measuredSeconds = (measureEnd - measureStart) / 1000;
      resolve({
        params,
        measuredSeconds: round(measuredSeconds, 3),
        responses: ok + non2xx,
        ok,
        non2xx,
        errors,
        statusCounts,
        reqPerSec: round(ok / measuredSeconds, 1),
        eventsPerSec: round((ok * params.batchSize) / measuredSeconds, 1),
        latencyMs: {
          p50: round(percentile(sorted, 50), 3),
          p90: round(percentile(sorted, 90), 3),
          p99: round(percentile(sorted, 99), 3),
          max: round(percentile(sorted, 100), 3),
          mean: round(mean(sorted), 3),
        },
        totalAcceptedEvents,
        unanswered: inFlight,
      });
    };
    let tailTimer: NodeJS.Timeout | undefined;

    const startMeasure = () => {
      measureStart = performance.now();
      onPhase({ kind: 'phase', phase: 'measure', seconds: params.durationSeconds });
      setTimeout(() => {
        measureEnd = performance.now();
        running = false;
        onPhase({ kind: 'phase', phase: 'tail', seconds: params.timeoutMs / 1000 });
        if (inFlight === 0) {
          finish();
          return;
        }
        onIdle = finish;
        tailTimer = setTimeout(finish, params.timeoutMs);
      }, params.durationSeconds * 1000);
    };

    for (let i = 0; i < params.connections; i++) open();
    if (params.warmupSeconds > 0) {
      onPhase({ kind: 'phase', phase: 'warmup', seconds: params.warmupSeconds });
      setTimeout(startMeasure, params.warmupSeconds * 1000);
    } else {
      startMeasure();
    }
  });
}

if (import.meta.main) {
  // Never outlive the harness that spawned us.
  process.on('disconnect', () => process.exit(1));
  let params: LoadParams;
  try {
    params = parseLoadArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const result = await runLoad(params, (message) => process.send?.(message));
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
