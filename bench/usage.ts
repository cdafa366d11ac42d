/**
 * Samples a server process's resources during the measured window: resident set size (VmRSS in
 * /proc/<pid>/status) at a fixed interval, and CPU time (utime + stime in /proc/<pid>/stat) over the window.
 */
import { readFile } from 'node:fs/promises';
import { median, round } from './stats.ts';
import type { ServerUsage } from './types.ts';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

export async function readRssKiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) the process has used so far. */
export async function readCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime/stime are 14/15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

export interface UsageSampler {
  stop(): Promise<ServerUsage>;
}

export function sampleUsage(pid: number, intervalMs = 250): UsageSampler {
  const samples: number[] = [];
  const startedAt = performance.now();
  const cpuAtStart = readCpuSeconds(pid);
  const take = () => {
    void readRssKiB(pid).then((kib) => {
      if (kib !== undefined) samples.push(kib);
    });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      const [cpuStart, cpuEnd] = await Promise.all([cpuAtStart, readCpuSeconds(pid)]);
      const wall = (performance.now() - startedAt) / 1000;
      const peak = samples.reduce((a, b) => Math.max(a, b), 0);
      return {
        samples: samples.length,
        peakMiB: round(peak / 1024, 1),
        medianMiB: samples.length ? round(median(samples) / 1024, 1) : 0,
        cpuPercent:
          cpuStart !== undefined && cpuEnd !== undefined && wall > 0
            ? round(((cpuEnd - cpuStart) / wall) * 100, 0)
            : undefined,
      };
    },
  };
}
