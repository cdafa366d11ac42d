import type { Step } from './step.ts';

/**
 * Decides whether an event updates its user's profile (seed 001: "enrich profiles with only certain types of
 * events"). Identify calls always do: they carry the traits.
 */
export function putProfileFlag(types: readonly string[]): Step {
  const allowed = new Set(types);
  return {
    name: 'put-profile-flag',
    run(row) {
      row.updates_profile =
        row.user_id !== '' && (allowed.size === 0 || allowed.has(row.type) || row.type === 'identify');
    },
  };
}
