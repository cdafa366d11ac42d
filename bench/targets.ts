/** The performance targets of the collector and their verdicts for one benchmark run. */
import { round } from './stats.ts';
import type { RunResult, ScenarioName } from './types.ts';

export const TARGETS = {
  singleMinRatio: 0.6,
  singleMaxP99Ms: 10,
  batchMinEventsPerSec: 400_000,
} as const;

export interface TargetCheck {
  scenario: ScenarioName;
  target: string;
  actual: string;
  /** undefined: not measured (sightline missing). */
  pass: boolean | undefined;
}

function find(results: RunResult[], scenario: ScenarioName, target: 'baseline' | 'sightline') {
  return results.find((r) => r.scenario === scenario && r.target === target);
}

function cleanCheck(scenario: ScenarioName, run: RunResult | undefined): TargetCheck {
  const failed = run ? run.load.errors + run.load.non2xx : undefined;
  return {
    scenario,
    target: 'no errors, no non-2xx',
    actual: failed === undefined ? 'pending' : `${failed} failed`,
    pass: failed === undefined ? undefined : failed === 0,
  };
}

export function evaluateTargets(results: RunResult[], scenarios: ScenarioName[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (scenarios.includes('single')) {
    const base = find(results, 'single', 'baseline');
    const real = find(results, 'single', 'sightline');
    const ratio =
      base && real && base.load.reqPerSec > 0 ? real.load.reqPerSec / base.load.reqPerSec : undefined;
    checks.push({
      scenario: 'single',
      target: `req/s sightline/baseline ≥ ${TARGETS.singleMinRatio}`,
      actual: ratio === undefined ? 'pending' : String(round(ratio, 2)),
      pass: ratio === undefined ? undefined : ratio >= TARGETS.singleMinRatio,
    });
    const p99 = real?.load.latencyMs.p99;
    checks.push({
      scenario: 'single',
      target: `p99 ≤ ${TARGETS.singleMaxP99Ms} ms`,
      actual: p99 === undefined ? 'pending' : `${p99} ms`,
      pass: p99 === undefined ? undefined : p99 <= TARGETS.singleMaxP99Ms,
    });
    checks.push(cleanCheck('single', real));
  }
  if (scenarios.includes('batch')) {
    const real = find(results, 'batch', 'sightline');
    const eps = real?.load.eventsPerSec;
    checks.push({
      scenario: 'batch',
      target: `events/s ≥ ${TARGETS.batchMinEventsPerSec.toLocaleString('en-US')}`,
      actual: eps === undefined ? 'pending' : Math.round(eps).toLocaleString('en-US'),
      pass: eps === undefined ? undefined : eps >= TARGETS.batchMinEventsPerSec,
    });
    checks.push(cleanCheck('batch', real));
  }
  return checks;
}
