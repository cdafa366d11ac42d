/** The processor benchmark's result and its text rendering (shared by bench/processor.ts and bench/run.ts). */
export interface ProcessorRun {
  mix: string;
  /** The round it ran in (1, 2, …): each round runs every mix once. */
  round?: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  stored: number;
}

export interface ProcessorReport {
  target: number;
  runs: ProcessorRun[];
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Each round's change in events/s that keeping visits makes to `mix`, in percent. */
function visitsGaps(report: ProcessorReport, mix: string): number[] {
  const withVisits = report.runs.filter((r) => r.mix === `${mix} + visits`);
  return withVisits.flatMap((w) => {
    const without = report.runs.find((r) => r.mix === mix && r.round === w.round);
    return without ? [100 * (w.eventsPerSecond / without.eventsPerSecond - 1)] : [];
  });
}

export function formatProcessor(report: ProcessorReport): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const mixes = [...new Set(report.runs.map((r) => r.mix))];
  const rounds = Math.max(1, ...report.runs.map((r) => r.round ?? 1));
  const lines = [
    '',
    `Processor (WAL → full enrichment → embedded store, one process; ${rounds} round${rounds > 1 ? 's' : ''}, each mix once a round, medians)`,
    '',
  ];
  const each = (mix: string) =>
    report.runs
      .filter((r) => r.mix === mix)
      .map((r) => n(r.eventsPerSecond))
      .join(' · ');
  const width = Math.max('each round'.length, ...mixes.map((m) => each(m).length));
  lines.push(
    `${'mix'.padEnd(24)}  events/run   events/s (median)   ${'each round'.padEnd(width)}  target ≥ ${n(report.target)}/s`,
  );
  for (const mix of mixes) {
    const runs = report.runs.filter((r) => r.mix === mix);
    const rate = median(runs.map((r) => r.eventsPerSecond));
    lines.push(
      `${mix.padEnd(24)}  ${n(runs[0].events).padStart(10)}   ${n(rate).padStart(17)}   ${each(mix).padEnd(width)}  ${rate >= report.target ? 'PASS' : 'FAIL'}`,
    );
  }
  const lost = report.runs.filter((r) => r.stored !== r.events);
  if (lost.length > 0)
    lines.push(
      '',
      `stored ≠ sent in ${lost.map((r) => `${r.mix} (round ${r.round ?? 1}): ${n(r.stored)}`).join(', ')}`,
    );
  const gaps = mixes
    .filter((m) => !m.endsWith(' + visits'))
    .map((m) => [m, visitsGaps(report, m)] as const)
    .filter(([, g]) => g.length > 0);
  if (gaps.length > 0) {
    lines.push('', 'what keeping visits costs (issue 17: at most 15 %), median of the rounds:');
    for (const [mix, g] of gaps)
      lines.push(
        `  ${mix.padEnd(16)} ${median(g).toFixed(1).padStart(6)} %   (${g.map((x) => x.toFixed(1)).join(' · ')})`,
      );
  }
  return `${lines.join('\n')}\n`;
}
