/** The dashboard benchmark's section of the bench report. */
export interface ConfigResult {
  name: string;
  description: string;
  /** Wall time of the whole page (every call at once, as the browser issues them). */
  pageMedianMs: number;
  pageP95Ms: number;
  /** Per call: median time and the statuses seen (a 504 is the query budget running out). */
  calls: Array<{ name: string; medianMs: number; statuses: number[] }>;
}

export interface DashboardReport {
  /** Events in the range the page shows (`days` long), and in the `historyDays` seeded before it. */
  events: number;
  days: number;
  historyDays: number;
  historyEvents: number;
  runs: number;
  seedSeconds: number;
  seedEventsPerSecond: number;
  /** Bytes on disk of the active parts, per table, and all tables together per stored event. */
  storeBytes: Record<string, number>;
  bytesPerEvent: number;
  configs: ConfigResult[];
  targetMs: number;
}

const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`.padStart(10);

export function formatDashboard(report: DashboardReport): string {
  const lines = [
    '',
    `Dashboard overview page (${report.events.toLocaleString('en-US')} seeded events over the ${report.days} days shown${
      report.historyDays > 0
        ? `, and ${report.historyEvents.toLocaleString('en-US')} over the ${report.historyDays} days before them (the compared period)`
        : ''
    }, embedded store, whole page = all calls at once, median of ${report.runs} after a warm-up)`,
    '',
    `${'configuration'.padEnd(28)} ${'median'.padStart(10)} ${'p95'.padStart(10)}   target ≤ ${report.targetMs} ms`,
  ];
  for (const c of report.configs) {
    const failed = c.calls.filter((x) => x.statuses.some((s) => s !== 200));
    lines.push(
      `${c.name.padEnd(28)} ${ms(c.pageMedianMs)} ${ms(c.pageP95Ms)}   ${c.pageMedianMs <= report.targetMs && failed.length === 0 ? 'met' : 'MISSED'}` +
        (failed.length > 0
          ? ` (failed: ${failed.map((f) => `${f.name} ${f.statuses.join('/')}`).join(', ')})`
          : ''),
    );
    lines.push(`  ${c.description}`);
    lines.push(`  calls: ${c.calls.map((x) => `${x.name} ${Math.round(x.medianMs)}`).join(' · ')} (ms)`);
  }
  const tables = Object.entries(report.storeBytes)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([t, b]) => `${t} ${(b / 1e6).toFixed(0)} MB`)
    .join(', ');
  lines.push(
    '',
    `store: ${report.bytesPerEvent.toFixed(0)} B/event (${tables})`,
    report.seedEventsPerSecond > 0
      ? `seeded at ${Math.round(report.seedEventsPerSecond).toLocaleString('en-US')} events/s`
      : 'seeded earlier (the store in --data was reused)',
    '',
  );
  return lines.join('\n');
}
