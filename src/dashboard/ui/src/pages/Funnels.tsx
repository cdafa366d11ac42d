import { useState } from 'preact/hooks';
import type { FunnelResult, SavedFunnel, FunnelStep as Step } from '../../../../query/api-types.ts';
import { del, errorText, get, isShared, post } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { count } from '../format.ts';
import { type Route, statsParams, update } from '../url-state.ts';
import { useApi } from '../use-api.ts';

const DEFAULT: Step[] = [{ page: '/' }, { page: '/pricing' }, { event: 'signup' }];

function parseSteps(raw: string | null): Step[] {
  try {
    const s = JSON.parse(raw ?? '');
    return Array.isArray(s) && s.length >= 2 ? s : DEFAULT;
  } catch {
    return DEFAULT;
  }
}

/** The project's saved funnels: pick one to run it; admins save the current steps under a name, or delete one. */
function SavedFunnels(props: {
  project: string;
  steps: Step[];
  window: string;
  pick: (f: SavedFunnel) => void;
}) {
  const saved = useApi(
    () => get<{ results: SavedFunnel[] }>('funnels', { project: props.project }).then((r) => r.results),
    [props.project],
  );
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState('');
  const [message, setMessage] = useState<string>();
  const list = saved.data ?? [];
  const current = list.find((f) => f.id === chosen);
  return (
    <div class="form-row saved-funnels" data-testid="saved-funnels">
      <select
        aria-label="Saved funnel"
        value={chosen}
        onChange={(e) => {
          const id = (e.target as HTMLSelectElement).value;
          setChosen(id);
          const f = list.find((x) => x.id === id);
          if (f) props.pick(f);
        }}
      >
        <option value="">{list.length ? 'Saved funnels…' : 'No saved funnels'}</option>
        {list.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </select>
      {current && (
        <button
          type="button"
          class="ghost"
          onClick={() =>
            confirm(`Delete the saved funnel "${current.name}"?`) &&
            del(`funnels/${current.id}`).then(
              () => {
                setChosen('');
                saved.reload();
              },
              (err: Error) => setMessage(err.message),
            )
          }
        >
          Delete
        </button>
      )}
      <input
        aria-label="Funnel name"
        placeholder="Name to save these steps as"
        value={name}
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
      />
      <button
        type="button"
        class="ghost"
        disabled={name.trim() === ''}
        onClick={async () => {
          try {
            const f = await post<SavedFunnel>('funnels', {
              project: props.project,
              name: name.trim(),
              steps: props.steps,
              window: props.window,
            });
            setMessage(`Saved "${f.name}".`);
            setName('');
            setChosen(f.id);
            saved.reload();
          } catch (err) {
            setMessage(errorText(err));
          }
        }}
      >
        Save funnel
      </button>
      {message && <span class="muted">{message}</span>}
    </div>
  );
}

/** Steps are edited locally and applied to the URL (so a funnel is a shareable link). */
export function FunnelsPage(props: { route: Route; project: string }) {
  const params = { ...statsParams(props.route.params), project: props.project };
  const applied = parseSteps(props.route.params.get('steps'));
  const window = props.route.params.get('window') ?? '1d';
  const [steps, setSteps] = useState<Step[]>(applied);
  const state = useApi(
    () => get<FunnelResult>('stats/funnel', { ...params, steps: JSON.stringify(applied), window }),
    [JSON.stringify(params), JSON.stringify(applied), window],
  );
  const set = (i: number, step: Step) => setSteps(steps.map((s, j) => (i === j ? step : s)));
  return (
    <main class="grid">
      <section class="panel wide">
        <header>
          <h2>Funnel steps</h2>
        </header>
        <form
          class="funnel-form"
          onSubmit={(e) => {
            e.preventDefault();
            update({ steps: JSON.stringify(steps) });
          }}
        >
          <ol>
            {steps.map((s, i) => (
              <li key={i}>
                <select
                  aria-label={`Step ${i + 1} kind`}
                  value={s.page !== undefined ? 'page' : 'event'}
                  onChange={(e) =>
                    set(
                      i,
                      (e.target as HTMLSelectElement).value === 'page' ? { page: '/' } : { event: 'signup' },
                    )
                  }
                >
                  <option value="page">Visited page</option>
                  <option value="event">Event</option>
                </select>
                <input
                  aria-label={`Step ${i + 1} value`}
                  value={s.page ?? s.event}
                  onInput={(e) => {
                    const v = (e.target as HTMLInputElement).value;
                    set(i, s.page !== undefined ? { page: v } : { ...s, event: v });
                  }}
                />
                {steps.length > 2 && (
                  <button
                    type="button"
                    class="ghost"
                    aria-label={`Remove step ${i + 1}`}
                    onClick={() => setSteps(steps.filter((_, j) => j !== i))}
                  >
                    ×
                  </button>
                )}
              </li>
            ))}
          </ol>
          {!isShared() && (
            <SavedFunnels
              project={props.project}
              steps={applied}
              window={window}
              pick={(f) => {
                setSteps(f.steps);
                update({ steps: JSON.stringify(f.steps), window: f.window });
              }}
            />
          )}
          <div class="form-row">
            {steps.length < 8 && (
              <button type="button" class="ghost" onClick={() => setSteps([...steps, { event: '' }])}>
                + Add step
              </button>
            )}
            <label>
              Within{' '}
              <select
                value={window}
                onChange={(e) => update({ window: (e.target as HTMLSelectElement).value })}
              >
                <option value="30m">30 minutes</option>
                <option value="1h">1 hour</option>
                <option value="1d">1 day</option>
                <option value="7d">7 days</option>
                <option value="30d">30 days</option>
              </select>
            </label>
            <button type="submit">Show funnel</button>
          </div>
        </form>
      </section>
      <Panel
        state={state}
        class="wide"
        testId="funnel"
        title="Conversion"
        isEmpty={(f) => f.steps[0].visitors === 0}
      >
        {(f) => (
          <ol class="funnel">
            {f.steps.map((s) => (
              <li key={s.step}>
                <div class="funnel-bar" style={{ width: `${Math.max(2, s.conversion_rate)}%` }} />
                <span class="funnel-text">
                  {s.step}. {s.label}
                </span>
                <span class="funnel-text" data-testid={`funnel-step-${s.step}`}>
                  {count(s.visitors)} · {s.conversion_rate}%
                </span>
                {s.step > 1 && (
                  <span class="muted">
                    −{count(s.dropoff)} dropped ({Math.round(100 - s.conversion_rate_step)}%)
                  </span>
                )}
              </li>
            ))}
          </ol>
        )}
      </Panel>
    </main>
  );
}
