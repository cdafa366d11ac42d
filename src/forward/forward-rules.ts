/**
 * Which destinations an event goes to: every rule of a destination is tried, the first that matches sends it
 * (once, however many match). Sampling hashes the event id, so a re-delivered batch makes the same choices.
 */
import { createHash } from 'node:crypto';
import type { RuleSpec } from './forward-config.ts';
import type { ForwardEvent } from './forward-event.ts';

/** The event id as a number in [0, 1): uniform, and the same for an event wherever it is computed. */
export function sampleValue(eventId: string): number {
  return createHash('sha256').update(eventId).digest().readUInt32BE(0) / 2 ** 32;
}

export function ruleMatches(rule: RuleSpec, event: ForwardEvent): boolean {
  if (rule.project !== undefined && rule.project !== event.project) return false;
  if (rule.types !== undefined && !rule.types.includes(event.type)) return false;
  for (const { key, condition } of rule.props) if (!condition(event.props[key])) return false;
  const fields = event as unknown as Record<string, unknown>;
  for (const { key, condition } of rule.fields) if (!condition(fields[key])) return false;
  return rule.sample >= 1 || sampleValue(event.event_id) < rule.sample;
}

/** A destination's matcher over its rules (a destination without rules receives nothing). */
export function matcherFor(
  destination: string,
  rules: readonly RuleSpec[],
): (event: ForwardEvent) => boolean {
  const mine = rules.filter((r) => r.destination === destination);
  return (event) => mine.some((rule) => ruleMatches(rule, event));
}
