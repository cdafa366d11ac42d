/** `--since` / `since=` of the dead-letter commands: `7d`, `6h`, `30m`, `2026-11-30`, or an ISO time → ms. */
const AGE = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseSince(value: string, now = Date.now()): number | undefined {
  const age = AGE.exec(value.trim());
  if (age) return now - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS];
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? undefined : ms;
}
