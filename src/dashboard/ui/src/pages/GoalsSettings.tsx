/**
 * Settings → Goals: a project's event goals (with property conditions) and page goals (`*` wildcards). Goals of
 * SIGHTLINE_GOALS are listed as managed by configuration, read-only. A goal counts past events at once.
 */
import { useState } from 'preact/hooks';
import type { GoalCondition as Condition, Goal } from '../../../../query/api-types.ts';
import { del, errorText, get, type Me, patch, post } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { ProjectSelect } from '../components/ProjectSelect.tsx';
import { useApi } from '../use-api.ts';

interface Draft {
  id?: string;
  name: string;
  kind: 'event' | 'page';
  value: string;
  conditions: Condition[];
}

const EMPTY: Draft = { name: '', kind: 'page', value: '', conditions: [] };

export function describeGoal(g: Pick<Goal, 'kind' | 'value' | 'conditions'>): string {
  const what = g.kind === 'page' ? `visited ${g.value}` : `event ${g.value}`;
  const tests = g.conditions.map((c) => `${c.key} ${c.op === 'is' ? 'is' : 'is not'} ${c.value}`);
  return tests.length ? `${what} where ${tests.join(' and ')}` : what;
}

/** The project's goals, each editable and deletable unless configuration manages it. */
function GoalTable(props: {
  goals: Goal[];
  project: string;
  onEdit: (draft: Draft) => void;
  onDeleted: () => void;
  onError: (message: string) => void;
}) {
  return (
    <>
      {props.goals.length === 0 ? (
        <p class="muted">No goals for {props.project} yet: add a page or an event below.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Reached when</th>
              <th>Source</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.goals.map((g) => (
              <tr key={g.id} data-testid="goal-row">
                <td>{g.name}</td>
                <td>{describeGoal(g)}</td>
                <td>
                  {g.read_only ? (
                    <span class="badge" title="SIGHTLINE_GOALS">
                      managed by configuration
                    </span>
                  ) : (
                    <span class="muted">{g.created_by}</span>
                  )}
                </td>
                <td>
                  {!g.read_only && (
                    <>
                      <button
                        type="button"
                        class="ghost"
                        onClick={() =>
                          props.onEdit({
                            id: g.id,
                            name: g.name,
                            kind: g.kind,
                            value: g.value,
                            conditions: [...g.conditions],
                          })
                        }
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="ghost"
                        onClick={() =>
                          confirm(`Delete the goal "${g.name}"?`) &&
                          del(`goals/${encodeURIComponent(g.id)}`).then(props.onDeleted, (err: Error) =>
                            props.onError(err.message),
                          )
                        }
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Adds a goal, or edits the one in `draft`: a page pattern, or an event type with property conditions. */
function GoalForm(props: { draft: Draft; setDraft: (draft: Draft) => void; onSubmit: (e: Event) => void }) {
  const { draft, setDraft } = props;
  const setCondition = (i: number, c: Condition) =>
    setDraft({ ...draft, conditions: draft.conditions.map((x, j) => (i === j ? c : x)) });
  return (
    <form class="goal-form" onSubmit={props.onSubmit} aria-label={draft.id ? 'Edit goal' : 'Add goal'}>
      <div class="form-row">
        <select
          aria-label="Goal kind"
          value={draft.kind}
          onChange={(e) =>
            setDraft({ ...draft, kind: (e.target as HTMLSelectElement).value as Draft['kind'] })
          }
        >
          <option value="page">Page visited</option>
          <option value="event">Event</option>
        </select>
        <input
          required
          aria-label={draft.kind === 'page' ? 'Page path' : 'Event type'}
          placeholder={draft.kind === 'page' ? '/thanks* (* = anything)' : 'signup'}
          value={draft.value}
          onInput={(e) => setDraft({ ...draft, value: (e.target as HTMLInputElement).value })}
        />
        <input
          aria-label="Goal name"
          placeholder="Name (optional)"
          value={draft.name}
          onInput={(e) => setDraft({ ...draft, name: (e.target as HTMLInputElement).value })}
        />
        <button type="submit">{draft.id ? 'Save goal' : 'Add goal'}</button>
        {draft.id && (
          <button type="button" class="ghost" onClick={() => setDraft(EMPTY)}>
            Cancel
          </button>
        )}
      </div>
      {draft.kind === 'event' && (
        <div class="goal-conditions">
          {draft.conditions.map((c, i) => (
            <div class="form-row" key={i}>
              <span class="muted">where property</span>
              <input
                required
                aria-label={`Condition ${i + 1} property`}
                placeholder="plan"
                value={c.key}
                onInput={(e) => setCondition(i, { ...c, key: (e.target as HTMLInputElement).value })}
              />
              <select
                aria-label={`Condition ${i + 1} test`}
                value={c.op}
                onChange={(e) =>
                  setCondition(i, {
                    ...c,
                    op: (e.target as HTMLSelectElement).value as Condition['op'],
                  })
                }
              >
                <option value="is">is</option>
                <option value="is_not">is not</option>
              </select>
              <input
                aria-label={`Condition ${i + 1} value`}
                placeholder="pro"
                value={c.value}
                onInput={(e) => setCondition(i, { ...c, value: (e.target as HTMLInputElement).value })}
              />
              <button
                type="button"
                class="ghost"
                aria-label={`Remove condition ${i + 1}`}
                onClick={() => setDraft({ ...draft, conditions: draft.conditions.filter((_, j) => j !== i) })}
              >
                ×
              </button>
            </div>
          ))}
          {draft.conditions.length < 10 && (
            <button
              type="button"
              class="ghost"
              onClick={() =>
                setDraft({
                  ...draft,
                  conditions: [...draft.conditions, { key: '', op: 'is', value: '' }],
                })
              }
            >
              + Property condition
            </button>
          )}
        </div>
      )}
    </form>
  );
}

export function GoalsCard(props: { me: Me }) {
  // The project the dashboard was on (the overview's "add a goal" link carries it), else the first.
  const projects = props.me.admin ? props.me.projects : (props.me.admin_of ?? []);
  const asked = new URLSearchParams(location.search).get('project');
  const [project, setProject] = useState(asked && projects.includes(asked) ? asked : (projects[0] ?? ''));
  const goals = useApi(
    () => get<{ results: Goal[] }>('goals', { project }).then((r) => r.results),
    [project],
  );
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [message, setMessage] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = {
      kind: draft.kind,
      value: draft.value,
      conditions: draft.kind === 'event' ? draft.conditions : [],
      ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
    };
    try {
      const saved = draft.id
        ? await patch<Goal>(`goals/${encodeURIComponent(draft.id)}`, body)
        : await post<Goal>('goals', { ...body, project });
      setMessage(
        `${draft.id ? 'Saved' : 'Added'} "${saved.name}"; it counts every stored event from now on.`,
      );
      setDraft(EMPTY);
      goals.reload();
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  return (
    <Panel
      state={goals}
      class="wide"
      testId="goals-settings"
      title={<span id="goals">Goals</span>}
      actions={
        <ProjectSelect
          label="Project of the goals"
          projects={projects}
          value={project}
          onChange={(p) => {
            setProject(p);
            setDraft(EMPTY);
          }}
        />
      }
    >
      {(list) => (
        <>
          <GoalTable
            goals={list}
            project={project}
            onEdit={setDraft}
            onDeleted={goals.reload}
            onError={setMessage}
          />
          <GoalForm draft={draft} setDraft={setDraft} onSubmit={submit} />
          {message && (
            <p class="note" data-testid="goal-message">
              {message}
            </p>
          )}
        </>
      )}
    </Panel>
  );
}
