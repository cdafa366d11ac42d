import { useState } from 'preact/hooks';
import type { BreakdownRow, MetricNumbers } from '../../../../query/api-types.ts';
import { csvUrl, get } from '../api.ts';
import { count, duration } from '../format.ts';
import { addFilter } from '../url-state.ts';
import { useApi } from '../use-api.ts';
import { dimensionLabel } from './Header.tsx';
import { Panel } from './Panel.tsx';

const regionNames = new Intl.DisplayNames(undefined, { type: 'region' });
/** `DE` → `Germany (DE)`; anything that is not a region code stays as it is. */
const countryName = (code: string) => {
  if (!/^[A-Z]{2}$/.test(code)) return code;
  try {
    return `${regionNames.of(code) ?? code}`;
  } catch {
    return code;
  }
};

function Rows(props: { rows: Row[]; dimension: string; metric: 'visitors' | 'events' }) {
  const max = Math.max(1, ...props.rows.map((r) => r[props.metric]));
  return (
    <ul class="rows">
      {props.rows.map((r) => (
        <li key={r.value}>
          <button
            type="button"
            class="row"
            title={`Filter by ${dimensionLabel(props.dimension)} ${r.value || '(none)'}`}
            onClick={() => addFilter(props.dimension, r.value)}
          >
            <span class="fill" style={{ width: `${(100 * r[props.metric]) / max}%` }} />
            <span class="label">
              {(props.dimension === 'country' ? countryName(r.value) : r.value) || '(none)'}
            </span>
            <span class="num">{count(r[props.metric])}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function Details(props: {
  dimension: string;
  params: Record<string, string | undefined>;
  onClose: () => void;
}) {
  const state = useApi(
    () =>
      get<{ results: Row[] }>(`stats/breakdown/${props.dimension}`, { ...props.params, limit: 100 }).then(
        (r) => r.results,
      ),
    [props.dimension, JSON.stringify(props.params)],
  );
  return (
    <div
      class="modal"
      role="dialog"
      aria-modal="true"
      aria-label={`${dimensionLabel(props.dimension)} details`}
    >
      <div class="sheet">
        <Panel
          title={dimensionLabel(props.dimension)}
          state={state}
          actions={
            <>
              <a
                href={csvUrl(`stats/breakdown/${props.dimension}`, { ...props.params, limit: 10000 })}
                download
              >
                CSV
              </a>
              <button type="button" onClick={props.onClose}>
                Close
              </button>
            </>
          }
        >
          {(rows) => (
            <table>
              <thead>
                <tr>
                  <th>{dimensionLabel(props.dimension)}</th>
                  <th>Visitors</th>
                  <th>Visits</th>
                  <th>Pageviews</th>
                  <th>Bounce rate</th>
                  <th>Duration</th>
                  {rows[0]?.conversion_rate !== undefined && <th>Conversion</th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.value}>
                    <td>
                      <button
                        type="button"
                        class="link"
                        onClick={() => {
                          addFilter(props.dimension, r.value);
                          props.onClose();
                        }}
                      >
                        {r.value || '(none)'}
                      </button>
                    </td>
                    <td>{count(r.visitors)}</td>
                    <td>{count(r.visits)}</td>
                    <td>{count(r.pageviews)}</td>
                    <td>{Math.round(r.bounce_rate)}%</td>
                    <td>{duration(r.visit_duration)}</td>
                    {r.conversion_rate !== undefined && <td>{r.conversion_rate}%</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
      </div>
    </div>
  );
}

/** A mark beside a card's title when its numbers were read from a sample of visitors. */
export function Estimated(props: { sampled?: number }) {
  if (!props.sampled) return null;
  return (
    <span
      class="estimated"
      title={`Estimated from a sample of ${Math.round(props.sampled * 1000) / 10}% of visitors`}
    >
      estimated
    </span>
  );
}

/** The first tab of every card, loaded by the page in one request (`stats/breakdowns`). */
/** The dashboard asks for every metric, so each row has them all. */
export type Row = BreakdownRow & MetricNumbers;

export type FirstTabs = Promise<{ results: Record<string, Row[]>; sampled?: number }>;

/**
 * A card of tabs, each a breakdown by one dimension; a row click filters the whole dashboard by it. Its first tab
 * comes from `shared` when the page loaded it with the other cards' (one pass over the events instead of five).
 */
export function BreakdownCard(props: {
  tabs: Array<[dimension: string, label: string]>;
  params: Record<string, string | undefined>;
  metric?: 'visitors' | 'events';
  testId?: string;
  shared?: FirstTabs;
}) {
  const [tab, setTab] = useState(props.tabs[0][0]);
  const [details, setDetails] = useState(false);
  const [sampled, setSampled] = useState<number | undefined>(undefined);
  const state = useApi(
    () =>
      (tab === props.tabs[0][0] && props.shared
        ? props.shared.then((r) => ({ results: r.results[tab] ?? [], sampled: r.sampled }))
        : get<{ results: Row[]; sampled?: number }>(`stats/breakdown/${tab}`, {
            ...props.params,
            limit: 9,
            metrics: 'counts',
          })
      ).then((r) => {
        setSampled(r.sampled);
        return r.results;
      }),
    [tab, JSON.stringify(props.params), props.shared],
  );
  return (
    <>
      <Panel
        testId={props.testId}
        title={
          <span class="tabs" role="tablist">
            {props.tabs.map(([d, label]) => (
              <button key={d} type="button" role="tab" aria-selected={d === tab} onClick={() => setTab(d)}>
                {label}
              </button>
            ))}
          </span>
        }
        actions={
          <>
            <Estimated sampled={sampled} />
            <button type="button" class="ghost" onClick={() => setDetails(true)}>
              Details
            </button>
            <a
              class="ghost"
              href={csvUrl(`stats/breakdown/${tab}`, { ...props.params, limit: 10000 })}
              download
            >
              CSV
            </a>
          </>
        }
        state={state}
        isEmpty={(rows) => rows.length === 0}
      >
        {(rows) => <Rows rows={rows} dimension={tab} metric={props.metric ?? 'visitors'} />}
      </Panel>
      {details && <Details dimension={tab} params={props.params} onClose={() => setDetails(false)} />}
    </>
  );
}
