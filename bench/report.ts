/** The benchmark report: its JSON shape and its text rendering (tables for humans). */
import type { BenchOptions } from './options.ts';
import { round } from './stats.ts';
import type { TargetCheck } from './targets.ts';
import type { DrainResult, MachineInfo, RunResult, ScenarioName } from './types.ts';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  settings: Omit<BenchOptions, 'json' | 'help'>;
  results: RunResult[];
  drains: DrainResult[];
  targets: TargetCheck[];
  /** Log lines the real server wrote during the run (at level warn and above), the last few. */
  serverLog?: { lines: number; tail: string[] };
  /** Set when the harness failed; results gathered until then are kept. */
  error?: string;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? `×${round(a / b, 2).toFixed(2)}` : '–';

function resultRow(r: RunResult): string[] {
  return [
    r.scenario,
    r.target,
    String(r.load.params.connections),
    int(r.load.reqPerSec),
    int(r.load.eventsPerSec),
    ms(r.load.latencyMs.p50),
    ms(r.load.latencyMs.p90),
    ms(r.load.latencyMs.p99),
    String(r.load.errors),
    String(r.load.non2xx),
    r.usage.cpuPercent === undefined ? '–' : `${r.usage.cpuPercent}%`,
    r.usage.peakMiB.toFixed(1),
    r.usage.medianMiB.toFixed(1),
  ];
}

function scenarioRows(
  results: RunResult[],
  scenario: ScenarioName,
  pendingConns: number | undefined,
): string[][] {
  const base = results.find((r) => r.scenario === scenario && r.target === 'baseline');
  const real = results.find((r) => r.scenario === scenario && r.target === 'sightline');
  const rows: string[][] = [];
  if (base) rows.push(resultRow(base));
  if (real) rows.push(resultRow(real));
  else if (pendingConns !== undefined)
    rows.push([scenario, 'sightline', String(pendingConns), 'pending', ...Array(9).fill('–')]);
  if (base && real) {
    rows.push([
      scenario,
      'ratio s/b',
      '',
      ratio(real.load.reqPerSec, base.load.reqPerSec),
      ratio(real.load.eventsPerSec, base.load.eventsPerSec),
      ratio(real.load.latencyMs.p50, base.load.latencyMs.p50),
      ratio(real.load.latencyMs.p90, base.load.latencyMs.p90),
      ratio(real.load.latencyMs.p99, base.load.latencyMs.p99),
      '',
      '',
      ratio(real.usage.cpuPercent, base.usage.cpuPercent),
      ratio(real.usage.peakMiB, base.usage.peakMiB),
      ratio(real.usage.medianMiB, base.usage.medianMiB),
    ]);
  }
  return rows;
}

function drainLine(d: DrainResult): string {
  if (d.status === 'n/a') return `  ${d.scenario.padEnd(7)} n/a (${d.reason})`;
  if (d.status === 'timeout') {
    if (d.storedAtEnd === undefined) return `  ${d.scenario.padEnd(7)} TIMEOUT: ${d.reason}`;
    const behind = d.expectedEvents - (d.storedAtLoadEnd ?? 0);
    const rate = d.eventsPerSec === undefined ? 'no progress' : `${int(d.eventsPerSec)} events/s meanwhile`;
    return `  ${d.scenario.padEnd(7)} TIMEOUT: ${int(behind)} events behind at load end, ${int(d.storedAtEnd)} of ${int(d.expectedEvents)} stored after ${d.seconds} s → ${rate}`;
  }
  const backlog = d.expectedEvents - (d.storedAtLoadEnd ?? 0);
  const rate = d.eventsPerSec === undefined ? 'no backlog' : `${int(d.eventsPerSec)} events/s`;
  return `  ${d.scenario.padEnd(7)} ${int(backlog)} events behind at load end, all ${int(d.expectedEvents)} stored after ${d.seconds} s → ${rate}`;
}

export function formatText(report: BenchReport): string {
  const m = report.machine;
  const s = report.settings;
  const withSightline = s.targets.includes('sightline');
  const out: string[] = [];
  out.push('Sightline ingestion benchmark');
  out.push(`machine   ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.kernel}, Node ${m.node}`);
  out.push(
    `settings  warm-up ${s.warmupSeconds} s + ${s.durationSeconds} s measured; single: ${s.connections} connections; ` +
      `batch: ${s.batchSize} events/request, ${s.batchConnections} connections; server: ${s.serverEntry} serve`,
  );
  out.push('');
  const rows = s.scenarios.flatMap((sc) =>
    scenarioRows(
      report.results,
      sc,
      withSightline ? (sc === 'batch' ? s.batchConnections : s.connections) : undefined,
    ),
  );
  out.push(
    table(
      [
        'scenario',
        'target',
        'conns',
        'req/s',
        'events/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'errors',
        'non-2xx',
        'server CPU',
        'RSS peak MiB',
        'RSS median MiB',
      ],
      rows,
    ),
  );
  if (report.targets.length > 0) {
    out.push('');
    out.push('Targets (sightline)');
    for (const t of report.targets) {
      const verdict = t.pass === undefined ? 'pending' : t.pass ? 'PASS' : 'FAIL';
      out.push(`  ${verdict.padEnd(7)} ${t.scenario.padEnd(7)} ${t.target.padEnd(36)} ${t.actual}`);
    }
  }
  if (withSightline) {
    out.push('');
    out.push('Drain (store catching up with acknowledged events after the load)');
    if (report.drains.length === 0) out.push('  n/a');
    for (const d of report.drains) out.push(drainLine(d));
  }
  if (report.serverLog && report.serverLog.lines > 0) {
    out.push('');
    out.push(`sightline logged ${report.serverLog.lines} line(s) at warn or above; last ones:`);
    for (const line of report.serverLog.tail) out.push(`  ${line.slice(0, 300)}`);
  }
  if (report.error) {
    out.push('');
    out.push(`HARNESS FAILURE: ${report.error}`);
  }
  return `${out.join('\n')}\n`;
}
