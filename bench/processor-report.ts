/** The processor benchmark's result and its text rendering (shared by bench/processor.ts and bench/run.ts). */
export interface ProcessorRun {
  mix: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  stored: number;
}

export interface ProcessorReport {
  target: number;
  runs: ProcessorRun[];
}

export function formatProcessor(report: ProcessorReport): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const lines = ['', 'Processor (WAL → full enrichment → embedded store, one process)', ''];
  lines.push(`mix              events     seconds   events/s   stored   target ≥ ${n(report.target)}/s`);
  for (const r of report.runs)
    lines.push(
      `${r.mix.padEnd(15)}  ${n(r.events).padStart(8)}  ${r.seconds.toFixed(2).padStart(8)}  ${n(r.eventsPerSecond).padStart(9)}  ${n(r.stored).padStart(7)}   ${r.eventsPerSecond >= report.target ? 'PASS' : 'FAIL'}`,
    );
  return `${lines.join('\n')}\n`;
}
