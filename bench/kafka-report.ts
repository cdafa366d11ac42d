/** The Kafka section of the bench report: collect → Kafka against the baseline, and processor Kafka → store. */
export interface KafkaReport {
  durationSeconds: number;
  collect: Array<{ target: string; reqPerSec: number; p50Ms: number; p99Ms: number; failed: number }>;
  processor: { events: number; seconds: number; eventsPerSecond: number } | undefined;
}

export function formatKafka(report: KafkaReport): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const baseline = report.collect.find((c) => c.target === 'baseline');
  const lines = [
    '',
    `Scale-out path on a real Kafka broker (single events, 64 connections, ${report.durationSeconds} s)`,
    '',
  ];
  lines.push('target              req/s    ratio   p50 ms   p99 ms   failed');
  for (const c of report.collect)
    lines.push(
      `${c.target.padEnd(16)} ${n(c.reqPerSec).padStart(8)} ${(baseline ? c.reqPerSec / baseline.reqPerSec : 1).toFixed(2).padStart(8)} ${c.p50Ms.toFixed(2).padStart(8)} ${c.p99Ms.toFixed(2).padStart(8)} ${String(c.failed).padStart(8)}`,
    );
  if (report.processor)
    lines.push(
      '',
      `processor Kafka → store: ${n(report.processor.events)} events in ${report.processor.seconds.toFixed(1)} s → ${n(report.processor.eventsPerSecond)} events/s`,
    );
  lines.push('');
  return lines.join('\n');
}
