import type { Extent } from '../../../../query/api-types.ts';
import { get } from '../api.ts';
import { update } from '../url-state.ts';
import { useApi } from '../use-api.ts';

/** Says when the numbers are estimates from a sample, and switches between estimates and exact numbers. */
export function SampleNote(props: { sampled?: number; exact: boolean }) {
  if (props.sampled)
    return (
      <p class="sample-note" data-testid="sample-note">
        Estimated from a sample of {Math.round(props.sampled * 1000) / 10}% of visitors (a large range).{' '}
        <button type="button" class="link" onClick={() => update({ exact: '1' })}>
          Show exact numbers
        </button>
      </p>
    );
  if (props.exact)
    return (
      <p class="sample-note" data-testid="sample-note">
        Exact numbers.{' '}
        <button type="button" class="link" onClick={() => update({ exact: undefined })}>
          Use faster estimates
        </button>
      </p>
    );
  return null;
}

/** `2024-04-17` of an instant in the dashboard's time zone. */
function dayIn(iso: string, tz: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(iso));
}

/**
 * A period without events while the project has some: says how many are stored and when the latest was, with a
 * link to the range that holds them — never a silent wall of zeros.
 */
export function ExtentNote(props: { params: Record<string, string | undefined> }) {
  const { project, tenant, tz } = props.params;
  const state = useApi(() => get<Extent>('stats/extent', { project, tenant }), [project, tenant]);
  const e = state.data;
  if (!e || e.count === 0 || !e.first || !e.last) return null;
  const first = dayIn(e.first, tz);
  const last = dayIn(e.last, tz);
  return (
    <p class="sample-note" data-testid="extent-note">
      No events in this period. {e.count.toLocaleString()} event{e.count === 1 ? '' : 's'} stored, latest{' '}
      {last} —{' '}
      <button type="button" class="link" onClick={() => update({ period: undefined, from: first, to: last })}>
        show all time
      </button>
    </p>
  );
}
