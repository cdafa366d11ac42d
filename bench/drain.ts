/**
 * After the load: how long until the store holds every acknowledged event. Polls the overview endpoint until
 * its `events` count reaches the number of events the server acknowledged (or a timeout).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { round } from './stats.ts';
import type { DrainResult, ScenarioName } from './types.ts';

export interface DrainOptions {
  baseUrl: string;
  token: string;
  scenario: ScenarioName;
  /** Cumulative events acknowledged by the server since it started. */
  expectedEvents: number;
  /** `performance.now()` when the load stopped. */
  loadEndedAt: number;
  timeoutMs: number;
  pollMs?: number;
}

export const OVERVIEW_PATH = '/api/v1/stats/overview?project=app&from=2024-04-01&to=2024-05-01';

/** The first `events` field holding a count (a number, or a numeric string as ClickHouse sends UInt64). */
export function findEventsCount(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const direct = record['events'];
  if (typeof direct === 'number' && Number.isFinite(direct)) return direct;
  if (typeof direct === 'string' && /^\d+$/.test(direct)) return Number(direct);
  for (const child of Object.values(record)) {
    const found = findEventsCount(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `count`: the store's event count; `unavailable`: the endpoint cannot tell (final); `retry`: try again. */
type Poll =
  | { kind: 'count'; events: number }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'retry'; reason: string };

async function poll(url: string, token: string): Promise<Poll> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    text = await response.text();
  } catch (err) {
    // A server busy inserting may answer late; that is not a missing endpoint.
    return { kind: 'retry', reason: `overview request failed: ${(err as Error).message}` };
  }
  if (response.status >= 500 || response.status === 429) {
    return { kind: 'retry', reason: `overview endpoint answered ${response.status}` };
  }
  if (response.status !== 200) {
    return { kind: 'unavailable', reason: `overview endpoint answered ${response.status}` };
  }
  let events: number | undefined;
  try {
    events = findEventsCount(JSON.parse(text));
  } catch {
    return { kind: 'unavailable', reason: 'overview answer is not JSON' };
  }
  if (events === undefined)
    return { kind: 'unavailable', reason: 'overview answer has no numeric "events" field' };
  return { kind: 'count', events };
}

export async function measureDrain(options: DrainOptions): Promise<DrainResult> {
  const { scenario, expectedEvents } = options;
  const url = options.baseUrl + OVERVIEW_PATH;
  const deadline = options.loadEndedAt + options.timeoutMs;
  let storedAtLoadEnd: number | undefined;
  let stored: number | undefined;
  let lastProblem = '';
  for (;;) {
    const result = await poll(url, options.token);
    if (result.kind === 'count') {
      storedAtLoadEnd ??= result.events;
      stored = result.events;
      if (stored >= expectedEvents) break;
    } else if (result.kind === 'unavailable') {
      return { scenario, status: 'n/a', reason: result.reason, expectedEvents };
    } else {
      lastProblem = result.reason;
    }
    if (performance.now() >= deadline) {
      const seconds = (performance.now() - options.loadEndedAt) / 1000;
      const progress = stored !== undefined && storedAtLoadEnd !== undefined ? stored - storedAtLoadEnd : 0;
      return {
        scenario,
        status: 'timeout',
        reason:
          stored === undefined
            ? `no answer from the overview endpoint within ${options.timeoutMs / 1000} s (${lastProblem})`
            : `store held ${stored} of ${expectedEvents} events after ${options.timeoutMs / 1000} s`,
        expectedEvents,
        storedAtLoadEnd,
        storedAtEnd: stored,
        seconds: round(seconds, 2),
        // What the processor managed meanwhile: a lower bound of its throughput.
        eventsPerSec: progress > 0 ? round(progress / seconds, 0) : undefined,
      };
    }
    await sleep(options.pollMs ?? 100);
  }
  const seconds = (performance.now() - options.loadEndedAt) / 1000;
  const backlog = expectedEvents - (storedAtLoadEnd ?? 0);
  return {
    scenario,
    status: 'drained',
    expectedEvents,
    storedAtLoadEnd,
    storedAtEnd: stored,
    seconds: round(seconds, 2),
    eventsPerSec: backlog > 0 ? round(backlog / seconds, 0) : undefined,
  };
}
