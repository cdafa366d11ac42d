/**
 * Periodic aggregate pushes: once an hour or day has closed (plus a grace period for late events), the per-user
 * totals of that period are queried from the store and sent to the destination as one event per user, through the
 * destination's own format, retries and dead letters. The last pushed period is kept in
 * `forward_aggregate_pushes`, so a restart continues with the next period: none skipped, none repeated. A first
 * start pushes the last closed period only (no backfill of history).
 */
import type { Logger } from '../observe/logger.ts';
import { uuidFromKey } from '../process/adapters/adapter.ts';
import { blankRow } from '../process/event-row.ts';
import type { Store } from '../store/store.ts';
import { abortableSleep, ForwardStopped } from './abortable-sleep.ts';
import type { AggregateSpec } from './forward-config.ts';
import type { Forwarder } from './forward-consumer.ts';
import { type ForwardEvent, toForwardEvent } from './forward-event.ts';

export const AGGREGATE_EVENT_TYPE = 'sightline_user_totals';
const PERIOD_MS = { hour: 3_600_000, day: 86_400_000 } as const;

export interface UserTotals {
  user_id: string;
  events: number;
  pageviews: number;
  sessions: number;
  first_ms: number;
  last_ms: number;
}

export async function queryUserTotals(
  store: Store,
  project: string,
  fromMs: number,
  toMs: number,
): Promise<UserTotals[]> {
  const rows = await store.query<Record<keyof UserTotals, string | number>>(
    `SELECT user_id, count() AS events, countIf(type = 'pageview') AS pageviews,
            uniqExactIf(session_id, session_id != '') AS sessions,
            toUnixTimestamp64Milli(min(timestamp)) AS first_ms, toUnixTimestamp64Milli(max(timestamp)) AS last_ms
     FROM events
     WHERE project = {project:String} AND user_id != ''
       AND timestamp >= fromUnixTimestamp64Milli(toInt64({from:Int64}), 'UTC')
       AND timestamp < fromUnixTimestamp64Milli(toInt64({to:Int64}), 'UTC')
     GROUP BY user_id
     ORDER BY user_id`,
    { project, from: fromMs, to: toMs },
  );
  return rows.map((r) => ({
    user_id: String(r.user_id),
    events: Number(r.events),
    pageviews: Number(r.pageviews),
    sessions: Number(r.sessions),
    first_ms: Number(r.first_ms),
    last_ms: Number(r.last_ms),
  }));
}

/** One user's totals as an event, with an id derived from (destination, project, period, user): stable on retry. */
export function totalsEvent(spec: AggregateSpec, startMs: number, totals: UserTotals): ForwardEvent {
  const endMs = startMs + PERIOD_MS[spec.every];
  const id = uuidFromKey(
    'forward-aggregate',
    `${spec.destination}:${spec.project}:${spec.metric}:${spec.every}:${startMs}:${totals.user_id}`,
  );
  const end = new Date(endMs).toISOString();
  return {
    ...toForwardEvent(blankRow()),
    event_id: id,
    idempotency_key: id,
    project: spec.project,
    tenant_id: '',
    type: AGGREGATE_EVENT_TYPE,
    timestamp: new Date(endMs - 1).toISOString(),
    received_at: end,
    user_id: totals.user_id,
    protocol: 'aggregate',
    props: {
      metric: spec.metric,
      every: spec.every,
      period_start: new Date(startMs).toISOString(),
      period_end: end,
      events: totals.events,
      pageviews: totals.pageviews,
      sessions: totals.sessions,
      first_seen: new Date(totals.first_ms).toISOString(),
      last_seen: new Date(totals.last_ms).toISOString(),
    },
  };
}

async function lastPushed(store: Store, spec: AggregateSpec): Promise<number | undefined> {
  const rows = await store.query<{ n: string | number; last_ms: string | number }>(
    `SELECT count() AS n, toUnixTimestamp(max(period_start)) * 1000 AS last_ms
     FROM forward_aggregate_pushes
     WHERE destination = {destination:String} AND project = {project:String}
       AND metric = {metric:String} AND every = {every:String}`,
    { destination: spec.destination, project: spec.project, metric: spec.metric, every: spec.every },
  );
  return Number(rows[0]?.n ?? 0) > 0 ? Number(rows[0].last_ms) : undefined;
}

/** Pushes every period that has closed (and passed its grace) since the last one; returns how many were pushed. */
export async function pushDuePeriods(
  store: Store,
  spec: AggregateSpec,
  forwarder: Pick<Forwarder, 'send'>,
  now: number,
  graceMs: number,
): Promise<number> {
  const period = PERIOD_MS[spec.every];
  const last = await lastPushed(store, spec);
  let start = last !== undefined ? last + period : Math.floor((now - graceMs) / period) * period - period;
  let pushed = 0;
  for (; start + period + graceMs <= now; start += period) {
    const totals = await queryUserTotals(store, spec.project, start, start + period);
    const events = totals.map((t) => totalsEvent(spec, start, t));
    const token = `aggregate-${spec.project}-${spec.metric}-${spec.every}-${start}`;
    await forwarder.send(events, token);
    await store.insert(
      'forward_aggregate_pushes',
      [
        {
          destination: spec.destination,
          project: spec.project,
          metric: spec.metric,
          every: spec.every,
          period_start: new Date(start).toISOString(),
          users: events.length,
          pushed_at: new Date().toISOString(),
        },
      ],
      `forward_aggregate_pushes:${spec.destination}:${token}`,
    );
    pushed++;
  }
  return pushed;
}

export interface AggregatePushOptions {
  store: Store;
  spec: AggregateSpec;
  forwarder: Pick<Forwarder, 'send'>;
  logger: Logger;
  checkEveryMs?: number;
  graceMs?: number;
}

/** Checks for closed periods at start and then every `checkEveryMs`; `stop` waits for a push in progress. */
export function startAggregatePushes(options: AggregatePushOptions): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const logger = options.logger.child({ stage: 'forward', destination: options.spec.destination });
  const every = options.checkEveryMs ?? 60_000;
  const grace = options.graceMs ?? 5 * 60_000;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const pushed = await pushDuePeriods(
          options.store,
          options.spec,
          options.forwarder,
          Date.now(),
          grace,
        );
        if (pushed > 0) logger.info({ pushed, project: options.spec.project }, 'aggregate periods pushed');
      } catch (err) {
        if (err instanceof ForwardStopped) return;
        logger.warn({ err: (err as Error).message }, 'aggregate push failed; trying again later');
      }
      await abortableSleep(every, stopping.signal).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
