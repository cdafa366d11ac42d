/**
 * The `version` of a row of a ReplacingMergeTree table (sites, keys, goals, funnels, alerts): microseconds of the
 * wall clock, strictly increasing within the process, so two changes in the same millisecond still order and the
 * later one wins. Real time keeps versions rising even when tests evaluate at chosen times.
 */
let last = 0;

export function nextRowVersion(): number {
  last = Math.max(last + 1, Date.now() * 1000);
  return last;
}
