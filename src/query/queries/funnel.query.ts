/**
 * Funnels: ordered steps (pageviews of a path pattern, or events of a type with property values) that one person
 * must reach in order within a window — ClickHouse's `windowFunnel`.
 */
import type { FunnelResult, FunnelStep } from '../api-types.ts';
import type { ParamProblem } from '../errors.ts';
import { patternToRegex } from '../goals.ts';
import { runStats } from '../run-stats.ts';
import { PERSON_KEY } from '../stats-metrics.ts';
import { type StatsQuery, whereOf } from '../stats-query.ts';

const MAX_STEPS = 8;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

export function parseWindow(raw: string | undefined, problems: ParamProblem[]): number {
  if (raw === undefined) return 86_400;
  const match = /^(\d{1,6})([smhd])$/.exec(raw);
  const seconds = match ? Number(match[1]) * UNITS[match[2]] : Number.NaN;
  if (!(seconds >= 1 && seconds <= 90 * 86_400)) {
    problems.push({ param: 'window', message: 'must be a duration like 30m, 1h or 7d (at most 90d)' });
    return 86_400;
  }
  return seconds;
}

export function parseSteps(raw: string | undefined, problems: ParamProblem[]): FunnelStep[] {
  const problem = (message: string) => {
    problems.push({ param: 'steps', message });
    return [];
  };
  if (raw === undefined)
    return problem('is required: [{"page":"/pricing"},{"event":"signup","props":{"plan":"pro"}}]');
  let steps: unknown;
  try {
    steps = JSON.parse(raw);
  } catch {
    return problem('must be JSON: [{"page":"/pricing"},{"event":"signup"}]');
  }
  if (!Array.isArray(steps) || steps.length < 2 || steps.length > MAX_STEPS)
    return problem(`must be an array of 2 to ${MAX_STEPS} steps`);
  const out: FunnelStep[] = [];
  for (const [i, s] of steps.entries()) {
    const step = s as FunnelStep;
    const valid =
      typeof s === 'object' &&
      s !== null &&
      (typeof step.page === 'string') !== (typeof step.event === 'string') &&
      (step.page === undefined || step.page.startsWith('/')) &&
      (step.props === undefined ||
        (typeof step.props === 'object' &&
          step.props !== null &&
          Object.values(step.props).every((v) => typeof v === 'string')));
    if (!valid)
      return problem(
        `step ${i + 1} must be {"page":"/path*"} or {"event":"type","props":{"key":"value"}} (property values are strings)`,
      );
    out.push(step);
  }
  return out;
}

const labelOf = (s: FunnelStep) =>
  s.page !== undefined
    ? `Visit ${s.page}`
    : `${s.event}${
        s.props
          ? ` (${Object.entries(s.props)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`
          : ''
      }`;

export async function funnelQuery(
  q: StatsQuery,
  steps: FunnelStep[],
  windowSeconds: number,
): Promise<FunnelResult> {
  const w = whereOf(q);
  const params: Record<string, unknown> = { ...w.params, window: windowSeconds };
  const conditions = steps.map((s, i) => {
    if (s.page !== undefined) {
      params[`s${i}`] = patternToRegex(s.page);
      return `type = 'pageview' AND match(path, {s${i}:String})`;
    }
    params[`s${i}`] = s.event;
    const props = Object.entries(s.props ?? {}).map(([k, v], j) => {
      params[`s${i}k${j}`] = k;
      params[`s${i}v${j}`] = v;
      return ` AND JSONExtractString(props, {s${i}k${j}:String}) = {s${i}v${j}:String}`;
    });
    return `type = {s${i}:String}${props.join('')}`;
  });
  const rows = await runStats<{ level: number; visitors: number }>(
    q,
    `SELECT level, count() AS visitors FROM (
       SELECT ${PERSON_KEY} AS person,
              windowFunnel({window:UInt64})(toDateTime(timestamp), ${conditions.map((c) => `(${c})`).join(', ')}) AS level
       FROM events WHERE ${w.where} AND (${conditions.map((c) => `(${c})`).join(' OR ')})
       GROUP BY person
     ) WHERE level > 0 GROUP BY level`,
    params as Record<string, string | number>,
  );
  const reachedExactly = new Map(rows.map((r) => [Number(r.level), Number(r.visitors)]));
  // windowFunnel gives the deepest step reached; step n counts everyone who got at least that far.
  const reached = steps.map((_, i) => {
    let n = 0;
    for (const [level, visitors] of reachedExactly) if (level >= i + 1) n += visitors;
    return n;
  });
  const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : 0);
  return {
    window_seconds: windowSeconds,
    steps: steps.map((s, i) => ({
      step: i + 1,
      label: labelOf(s),
      visitors: reached[i],
      conversion_rate: pct(reached[i], reached[0]),
      conversion_rate_step: i === 0 ? 100 : pct(reached[i], reached[i - 1]),
      dropoff: i === 0 ? 0 : reached[i - 1] - reached[i],
    })),
  };
}
