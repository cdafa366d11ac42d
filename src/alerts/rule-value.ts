/**
 * What a rule measures at an instant, and whether that makes it true. Stats metrics come from the overview query
 * and log counts from the logs page's filters, so an alert says what the dashboard shows for the same window.
 */
import { logCountQuery } from '../query/queries/logs.query.ts';
import { overviewQuery } from '../query/queries/overview.query.ts';
import { NO_FILTER } from '../query/stats-filters.ts';
import { rangeOf, type TimeRange } from '../query/time-range.ts';
import type { Store } from '../store/store.ts';
import type { AlertRule, RuleMetric } from './alert-rules.ts';

export interface Measured {
  /** The number the rule compares: a metric, a percent change, minutes of silence, new dead letters. */
  value: number | null;
  /** What it is compared with (above/below, dropPercent/risePercent, minutes). */
  threshold: number | null;
  firing: boolean;
  message: string;
}

interface Ctx {
  store: Store;
  timeoutMs: number;
}

async function metricIn(ctx: Ctx, rule: AlertRule, range: TimeRange): Promise<number> {
  const target = { project: rule.project ?? '' };
  if (rule.metric === 'logs') {
    const q = { store: ctx.store, target, range, filter: rule.logs ?? {}, timeoutMs: ctx.timeoutMs };
    return logCountQuery(q);
  }
  const q = { store: ctx.store, target, range, tz: 'UTC', filter: NO_FILTER, timeoutMs: ctx.timeoutMs };
  const overview = await overviewQuery(q);
  return overview[rule.metric as Exclude<RuleMetric, 'logs'>];
}

/** Rows of the project (bots too: they still prove the pipeline is alive) or its database changes since `fromMs`. */
async function recentRows(ctx: Ctx, rule: AlertRule, fromMs: number, toMs: number): Promise<number> {
  const range = rangeOf(fromMs, toMs);
  const params = {
    project: rule.project ?? '',
    from: range.start,
    to: range.end,
    database: rule.database ?? '',
  };
  const sql =
    rule.source === 'db_changes'
      ? `SELECT count() AS n FROM db_changes WHERE project = {project:String}
           AND ts >= toDateTime({from:DateTime64(3, 'UTC')}, 'UTC') AND ts < toDateTime({to:DateTime64(3, 'UTC')}, 'UTC')
           ${rule.database ? 'AND database = {database:String}' : ''}`
      : `SELECT count() AS n FROM events WHERE project = {project:String}
           AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`;
  const [row] = await ctx.store.query<{ n: number }>(sql, params, { timeoutMs: ctx.timeoutMs });
  return Number(row?.n ?? 0);
}

async function deadLetters(ctx: Ctx, rule: AlertRule, range: TimeRange): Promise<number> {
  const [row] = await ctx.store.query<{ n: number }>(
    `SELECT count() AS n FROM dead_letters
     WHERE received_at >= {from:DateTime64(3, 'UTC')} AND received_at < {to:DateTime64(3, 'UTC')}
     ${rule.project ? 'AND project = {project:String}' : ''}`,
    { from: range.start, to: range.end, project: rule.project ?? '' },
    { timeoutMs: ctx.timeoutMs },
  );
  return Number(row?.n ?? 0);
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function measureRule(ctx: Ctx, rule: AlertRule, nowMs: number): Promise<Measured> {
  const windowMs = rule.windowMinutes * 60_000;
  const window = rangeOf(nowMs - windowMs, nowMs);
  const span = `the last ${rule.windowMinutes} min`;
  switch (rule.kind) {
    case 'threshold': {
      const value = await metricIn(ctx, rule, window);
      const above = rule.above !== undefined;
      const threshold = (above ? rule.above : rule.below) as number;
      const firing = above ? value > threshold : value < threshold;
      return {
        value,
        threshold,
        firing,
        message: `${rule.metric} in ${span} is ${value} (alert when ${above ? 'above' : 'below'} ${threshold})`,
      };
    }
    case 'change': {
      const value = await metricIn(ctx, rule, window);
      const before = await metricIn(ctx, rule, rangeOf(nowMs - 2 * windowMs, nowMs - windowMs));
      // From nothing, any rise is infinite and no drop is possible.
      const change =
        before === 0 ? (value > 0 ? Number.POSITIVE_INFINITY : 0) : (100 * (value - before)) / before;
      const dropped = rule.dropPercent !== undefined && before > 0 && change <= -rule.dropPercent;
      const rose = rule.risePercent !== undefined && change >= rule.risePercent;
      const shown = Number.isFinite(change) ? round(change) : null;
      return {
        value: shown,
        threshold: dropped || rule.risePercent === undefined ? -(rule.dropPercent ?? 0) : rule.risePercent,
        firing: dropped || rose,
        message: `${rule.metric} in ${span} is ${value}, ${shown === null ? 'up from 0' : `${shown >= 0 ? '+' : ''}${shown}%`} vs the ${rule.windowMinutes} min before (${before})`,
      };
    }
    case 'no_events': {
      const minutes = rule.minutes as number;
      const n = await recentRows(ctx, rule, nowMs - minutes * 60_000, nowMs + 1);
      const what =
        rule.source === 'db_changes'
          ? `database changes${rule.database ? ` of ${rule.database}` : ''}`
          : 'events';
      return {
        value: n,
        threshold: minutes,
        firing: n === 0,
        message: n === 0 ? `no ${what} for ${minutes} min` : `${n} ${what} in the last ${minutes} min`,
      };
    }
    case 'dead_letters': {
      const value = await deadLetters(ctx, rule, window);
      const threshold = rule.above ?? 0;
      return {
        value,
        threshold,
        firing: value > threshold,
        message: `${value} new dead letters in ${span} (alert when above ${threshold})`,
      };
    }
  }
}
