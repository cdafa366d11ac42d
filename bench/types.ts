/** Shapes shared by the harness (`run.ts`) and the load generator (`load.ts`, a separate process). */

export type ScenarioName = 'single' | 'batch';
export type TargetName = 'baseline' | 'sightline';

/** What `load.ts` is told to do (argv flags, see `parseLoadArgs`). */
export interface LoadParams {
  url: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Events per request: 1 = one JSON object per request, > 1 = a JSON array (batch). */
  batchSize: number;
  /** A request without an answer after this long counts as an error and its connection is replaced. */
  timeoutMs: number;
}

/** What `load.ts` prints on stdout (one JSON document) when it is done. */
export interface LoadResult {
  params: LoadParams;
  /** Length of the measured window, seconds (wall clock). */
  measuredSeconds: number;
  /** Responses completed inside the measured window, any status. */
  responses: number;
  /** 2xx responses inside the measured window. */
  ok: number;
  /** Non-2xx responses inside the measured window. */
  non2xx: number;
  /**
   * Socket errors, timeouts and connections closed under a pending request, for requests sent in the measured
   * window or failures happening in it.
   */
  errors: number;
  statusCounts: Record<string, number>;
  reqPerSec: number;
  /** 2xx responses × events per request ÷ measured seconds. */
  eventsPerSec: number;
  /** Over every request sent in the measured window, whenever its answer came. */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Every event acknowledged by a 2xx, in all phases (warm-up, measured, tail): what the store must end up with. */
  totalAcceptedEvents: number;
  /** Requests still unanswered when the generator gave up waiting at the end. */
  unanswered: number;
}

/** Progress messages `load.ts` sends over the IPC channel when it has one. */
export interface LoadPhaseMessage {
  kind: 'phase';
  phase: 'warmup' | 'measure' | 'tail';
  /** Planned length of the phase, seconds. */
  seconds: number;
}

/** Resources of a server process during the measured window. */
export interface ServerUsage {
  /** RSS samples taken (every 250 ms). */
  samples: number;
  peakMiB: number;
  medianMiB: number;
  /** CPU time (user + system) over wall time; 100 = one core busy. */
  cpuPercent?: number;
}

export interface RunResult {
  scenario: ScenarioName;
  target: TargetName;
  load: LoadResult;
  usage: ServerUsage;
}

export interface DrainResult {
  scenario: ScenarioName;
  status: 'drained' | 'timeout' | 'n/a';
  /** Why the drain could not be measured (status n/a / timeout). */
  reason?: string;
  /** Events the store must hold (cumulative acknowledged events since the server started). */
  expectedEvents: number;
  /** Events the store held at the first answer of the overview endpoint after the load stopped. */
  storedAtLoadEnd?: number;
  storedAtEnd?: number;
  /** Seconds from the end of the load until the store held every acknowledged event (or until the timeout). */
  seconds?: number;
  /**
   * Drained: (expected − stored at load end) ÷ seconds; undefined when there was no backlog.
   * Timeout: (stored at the end − stored at load end) ÷ seconds, what the processor managed meanwhile.
   */
  eventsPerSec?: number;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  os: string;
  arch: string;
}
