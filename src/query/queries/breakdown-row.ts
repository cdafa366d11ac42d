/** A breakdown's row and how a counting row is read, shared by the events and the rollups paths of a breakdown. */
import { scaled } from '../sampling.ts';
import type { Metrics } from '../stats-metrics.ts';

export type BreakdownRow = { value: string } & Partial<Metrics> &
  Pick<Metrics, 'visitors' | 'visits' | 'pageviews' | 'events'>;

/**
 * A counting row as the store answers it (`prefix` before each count's name), conversions when there are goals;
 * counts scaled when read from `SAMPLE 1/sample`.
 */
export function countsRow(
  r: Record<string, unknown>,
  withGoals: boolean,
  prefix = '',
  sample?: number,
): BreakdownRow {
  const visitors = Number(r[`${prefix}visitors`]);
  const row: BreakdownRow = {
    value: String(r.value),
    visitors: scaled(visitors, sample),
    visits: scaled(r[`${prefix}visits`], sample),
    pageviews: scaled(r[`${prefix}pageviews`], sample),
    events: scaled(r[`${prefix}events`], sample),
  };
  if (withGoals) {
    const conversions = Number(r[`${prefix}conversions`]);
    row.conversions = scaled(conversions, sample);
    row.conversion_rate = visitors ? Math.round((1000 * conversions) / visitors) / 10 : 0;
  }
  return row;
}

/** A grouped pass's rows (`dim`: the index of the row's dimension in `dims`) as each dimension's counting rows. */
export function countsRowsByDimension(
  found: readonly Record<string, unknown>[],
  dims: readonly string[],
  withGoals: boolean,
  prefix = '',
  sample?: number,
): Record<string, BreakdownRow[]> {
  const results: Record<string, BreakdownRow[]> = Object.fromEntries(dims.map((d) => [d, []]));
  for (const r of found) results[dims[Number(r.dim)]].push(countsRow(r, withGoals, prefix, sample));
  return results;
}
