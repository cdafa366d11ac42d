import { useState } from 'preact/hooks';
import type { AlertHistoryEntry as HistoryEntry, AlertRule as Rule } from '../../../../query/api-types.ts';
import { del, errorText, get, type Me, post } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { ProjectSelect } from '../components/ProjectSelect.tsx';
import { dateTime } from '../format.ts';
import { useApi } from '../use-api.ts';

const METRICS = ['visitors', 'visits', 'pageviews', 'events', 'bounce_rate', 'visit_duration', 'logs'];

function condition(r: Rule): string {
  if (r.kind === 'threshold')
    return `${r.metric} in ${r.windowMinutes} min ${r.above !== undefined ? `> ${r.above}` : `< ${r.below}`}`;
  if (r.kind === 'change')
    return `${r.metric} ${r.dropPercent !== undefined ? `drops ${r.dropPercent}%` : `rises ${r.risePercent}%`} vs previous ${r.windowMinutes} min`;
  if (r.kind === 'no_events')
    return `no ${r.source === 'db_changes' ? 'DB changes' : 'events'} for ${r.minutes} min`;
  return `dead letters in ${r.windowMinutes} min > ${r.above ?? 0}`;
}

const channelText = (r: Rule) =>
  r.channels
    .map((c) => (c.type === 'webhook' ? `webhook ${new URL(c.url).host}` : `e-mail ${c.to.join(', ')}`))
    .join('; ');

const NARROW = { width: '6rem' };

const EMPTY = {
  name: '',
  kind: 'threshold',
  metric: 'visitors',
  op: 'below',
  value: '1',
  window: '60',
  target: '',
};

/** The API's rule for what the form says: a webhook or an e-mail target, and the kind's own numbers. */
function ruleBody(form: typeof EMPTY, project: string): Record<string, unknown> {
  const value = Number(form.value);
  const target = form.target.trim();
  const body: Record<string, unknown> = {
    name: form.name,
    kind: form.kind,
    project,
    channels: [
      target.includes('@') && !/^https?:/.test(target)
        ? { type: 'email', to: [target] }
        : { type: 'webhook', url: target },
    ],
  };
  if (form.kind === 'no_events') body.minutes = value;
  else {
    body.windowMinutes = Number(form.window);
    if (form.kind === 'dead_letters') body.above = value;
    else {
      body.metric = form.metric;
      if (form.kind === 'threshold') body[form.op === 'above' ? 'above' : 'below'] = value;
      else body[form.op === 'above' ? 'risePercent' : 'dropPercent'] = value;
    }
  }
  return body;
}

/** One rule with its state, a test button, and removal for the dashboard's own. */
function RuleRow(props: { rule: Rule; act: (what: Promise<unknown>, done: string) => void }) {
  const { rule: r, act } = props;
  return (
    <tr data-rule={r.id}>
      <td>
        {r.name}{' '}
        {r.origin === 'config' && (
          <span class="badge" title="from the configuration">
            config
          </span>
        )}
      </td>
      <td>{r.project ?? 'all'}</td>
      <td>{condition(r)}</td>
      <td class="muted">{channelText(r)}</td>
      <td data-state={r.state?.state ?? 'unknown'}>
        {r.state ? (
          <>
            <b>{r.state.state === 'firing' ? 'Firing' : 'OK'}</b>
            {r.state.value !== null && ` (${r.state.value})`}{' '}
            <span class="muted">since {dateTime(r.state.since)}</span>
          </>
        ) : (
          <span class="muted">not checked yet</span>
        )}
      </td>
      <td>
        <button
          type="button"
          class="ghost"
          onClick={() => act(post(`alerts/${r.id}/test`, {}), `Test notice sent for "${r.name}".`)}
        >
          Test
        </button>
        {r.origin === 'dashboard' && (
          <button
            type="button"
            class="ghost"
            onClick={() => act(del(`alerts/${r.id}`), `Rule "${r.name}" removed.`)}
          >
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}

function RulesCard(props: { me: Me; project: string; onChange: () => void }) {
  const rules = useApi(() => get<{ results: Rule[]; email: boolean }>('alerts'), []);
  const [project, setProject] = useState(props.project);
  const [form, setForm] = useState(EMPTY);
  const [message, setMessage] = useState<string>();
  const set = (key: keyof typeof EMPTY) => (e: Event) => {
    const value = (e.target as HTMLInputElement | HTMLSelectElement).value;
    setForm((f) => ({ ...f, [key]: value }));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = ruleBody(form, project);
    try {
      await post('alerts', body);
      setMessage(`Rule "${form.name}" added.`);
      setForm(EMPTY);
      rules.reload();
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  const act = async (what: Promise<unknown>, done: string) => {
    try {
      await what;
      setMessage(done);
    } catch (err) {
      setMessage(errorText(err));
    }
    rules.reload();
    props.onChange();
  };
  return (
    <Panel state={rules} class="wide" title="Alert rules" testId="alert-rules">
      {(data) => (
        <>
          <table>
            <thead>
              <tr>
                <th>Rule</th>
                <th>Project</th>
                <th>Condition</th>
                <th>Notify</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.results.map((r) => (
                <RuleRow key={r.id} rule={r} act={act} />
              ))}
            </tbody>
          </table>
          <form class="form-row" onSubmit={submit} aria-label="Add an alert rule">
            <input
              required
              placeholder="Rule name"
              aria-label="Rule name"
              value={form.name}
              onInput={set('name')}
            />
            <ProjectSelect
              label="Rule project"
              projects={props.me.projects}
              value={project}
              onChange={setProject}
            />
            <select aria-label="Kind" value={form.kind} onChange={set('kind')}>
              <option value="threshold">Threshold</option>
              <option value="change">Change vs previous window</option>
              <option value="no_events">No events</option>
              <option value="dead_letters">Dead letters</option>
            </select>
            {(form.kind === 'threshold' || form.kind === 'change') && (
              <>
                <select aria-label="Metric" value={form.metric} onChange={set('metric')}>
                  {METRICS.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
                <select aria-label="Direction" value={form.op} onChange={set('op')}>
                  <option value="below">{form.kind === 'change' ? 'drops by %' : 'below'}</option>
                  <option value="above">{form.kind === 'change' ? 'rises by %' : 'above'}</option>
                </select>
              </>
            )}
            <input
              required
              type="number"
              min="0"
              style={NARROW}
              aria-label={form.kind === 'no_events' ? 'Minutes without events' : 'Value'}
              value={form.value}
              onInput={set('value')}
            />
            {form.kind === 'no_events' ? (
              <span class="muted">min</span>
            ) : (
              <>
                <span class="muted">in the last</span>
                <input
                  type="number"
                  min="1"
                  style={NARROW}
                  aria-label="Window (minutes)"
                  title="Window (minutes)"
                  value={form.window}
                  onInput={set('window')}
                />
                <span class="muted">min</span>
              </>
            )}
            <input
              required
              placeholder={data.email ? 'Webhook URL or e-mail' : 'Webhook URL'}
              aria-label="Notify"
              value={form.target}
              onInput={set('target')}
            />
            <button type="submit">Add rule</button>
          </form>
          {message && <p class="note">{message}</p>}
        </>
      )}
    </Panel>
  );
}

function HistoryCard(props: { version: number }) {
  const history = useApi(
    () => get<{ results: HistoryEntry[] }>('alerts/history', { limit: 50 }).then((r) => r.results),
    [props.version],
  );
  return (
    <Panel
      state={history}
      class="wide"
      title="Recent alerts"
      isEmpty={(h) => h.length === 0}
      empty="Nothing has fired yet"
      testId="alert-history"
    >
      {(list) => (
        <ul class="plain">
          {list.map((h) => (
            <li key={`${h.rule_id}-${h.at}-${h.state}`} title={h.delivery}>
              <span class="muted">{dateTime(h.at)}</span> <b>{h.state}</b> {h.rule_name}: {h.message}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

export function AlertsPage(props: { me: Me; project: string }) {
  const [version, setVersion] = useState(0);
  return (
    <main class="grid">
      <RulesCard me={props.me} project={props.project} onChange={() => setVersion(version + 1)} />
      <HistoryCard version={version} />
    </main>
  );
}
