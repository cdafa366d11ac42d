/** The dashboard query benchmark's section of the bench report. */
export interface DashboardReport {
  events: number;
  runs: number;
  seedSeconds: number;
  seedEventsPerSecond: number;
  /** `inPage: false`: measured for reference, not part of the page's first load (e.g. a chart of another metric). */
  results: Array<{ query: string; medianMs: number; p95Ms: number; inPage: boolean }>;
  pageMs: number;
  targetMs: number;
}

export function formatDashboard(report: DashboardReport): string {
  const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`.padStart(10);
  const lines = [
    '',
    `Dashboard overview queries (${report.events.toLocaleString('en-US')} events, embedded store, ${report.runs} runs each)`,
    '',
    'query                        median        p95',
  ];
  for (const r of report.results)
    lines.push(
      `${r.query.padEnd(24)} ${ms(r.medianMs)} ${ms(r.p95Ms)}${r.inPage ? '' : '   (not in the page)'}`,
    );
  lines.push(
    `${'whole overview page'.padEnd(24)} ${ms(report.pageMs)}   target ≤ ${report.targetMs} ms: ${report.pageMs <= report.targetMs ? 'met' : 'MISSED'}`,
  );
  lines.push(`seeded at ${Math.round(report.seedEventsPerSecond).toLocaleString('en-US')} events/s`, '');
  return lines.join('\n');
}
