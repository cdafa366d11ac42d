/** Describes the machine a benchmark ran on, so figures are never read without their context. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { MachineInfo } from './types.ts';

function cpuModelFromProc(): string | undefined {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const line = cpuinfo.split('\n').find((l) => /^model name\s*:/.test(l));
    return line?.split(':').slice(1).join(':').trim() || undefined;
  } catch {
    return undefined;
  }
}

function kernel(): string {
  try {
    return readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

export function describeMachine(): MachineInfo {
  return {
    cpuModel: cpuModelFromProc() ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: kernel(),
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
  };
}
