/**
 * Pick tables: a weighted choice in SQL is one array index with a few bits of a hash, so each table holds every
 * outcome as often as its weight says, and picking costs the same for 3 outcomes or 200.
 */

/** Bits of a hash one choice uses: tables hold 2^bits entries, thresholds are out of 2^bits. */
export const PICK_BITS = 12;
export const PAGE_BITS = 13;
export const PICK = 1 << PICK_BITS;

/**
 * `size` entries, 1-based indices into `weights`, each repeated in proportion to its weight (largest remainder,
 * so the counts add up exactly and every outcome with weight keeps at least one entry).
 */
export function weightedTable(weights: readonly number[], size = PICK): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * size);
  const counts = exact.map((x, i) => (weights[i] > 0 ? Math.max(1, Math.floor(x)) : 0));
  let left = size - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length) {
    const i = order[k][1];
    if (weights[i] > 0) {
      counts[i]++;
      left--;
    }
  }
  for (let k = order.length - 1; left < 0; k = (k - 1 + order.length) % order.length) {
    const i = order[k][1];
    if (counts[i] > 1) {
      counts[i]--;
      left++;
    }
  }
  const out: number[] = [];
  counts.forEach((n, i) => {
    for (let j = 0; j < n; j++) out.push(i + 1);
  });
  return out;
}

/** Share of a table's entries holding each index (what the SQL's picks will produce, exactly). */
export function shares(table: readonly number[], n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const i of table) out[i - 1] += 1 / table.length;
  return out;
}

/** A probability as a threshold on PICK_BITS bits of a hash. */
export function threshold(p: number): number {
  return Math.max(0, Math.min(PICK, Math.round(p * PICK)));
}

/** Quantiles of an exponential distribution with this mean, at least 1. */
export function exponentialTable(mean: number): number[] {
  return Array.from({ length: PICK }, (_, i) =>
    Math.max(1, Math.round(-Math.log(1 - (i + 0.5) / PICK) * mean)),
  );
}

/** A pick table (`weightedTable`) over `items` by their weights. */
export function weighted<T>(items: ReadonlyArray<T>, weight: (item: T) => number): number[] {
  return weightedTable(items.map(weight));
}

/**
 * The inverse of the day's cumulative curve: entry b is the time of day (ms) by which b/4096 of the visits have
 * started, each hour's share spread evenly over the hour. The k-th of n visits starts at the (k/n)-th quantile, so
 * visits come out in time order — which saves the store sorting them — while following the same curve.
 */
export function dayClock(hourWeights: readonly number[]): number[] {
  const total = hourWeights.reduce((a, b) => a + b, 0);
  const clock: number[] = [];
  let hour = 0;
  let before = 0;
  for (let b = 0; b <= PICK; b++) {
    const u = b / PICK;
    while (hour < 23 && before + hourWeights[hour] / total <= u) before += hourWeights[hour++] / total;
    const within = Math.min(1, (u - before) / (hourWeights[hour] / total));
    clock.push(Math.min(86_400_000, Math.round((hour + within) * 3_600_000)));
  }
  clock[PICK] = 86_400_000;
  return clock;
}
