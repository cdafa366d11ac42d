import { useState } from 'preact/hooks';
import type { EventItem, User } from '../../../../query/api-types.ts';
import { csvUrl, get } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { dateTime } from '../format.ts';
import { navigate, type Route, statsParams, update } from '../url-state.ts';
import { useApi } from '../use-api.ts';
import { PrivacyActions } from './PrivacyActions.tsx';

/** Traits and event properties are JSON objects; anything else shows as none. */
const fieldsOf = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

function Pager(props: { page: number; more: boolean }) {
  return (
    <div class="pager">
      <button
        type="button"
        class="ghost"
        disabled={props.page <= 1}
        onClick={() => update({ page: String(props.page - 1) })}
      >
        ← Newer
      </button>
      <span>Page {props.page}</span>
      <button
        type="button"
        class="ghost"
        disabled={!props.more}
        onClick={() => update({ page: String(props.page + 1) })}
      >
        Older →
      </button>
    </div>
  );
}

export function UsersPage(props: { route: Route; project: string }) {
  const search = props.route.params.get('search') ?? '';
  const page = Number(props.route.params.get('page') ?? 1);
  const [typed, setTyped] = useState(search);
  const state = useApi(
    () =>
      get<{ results: User[] }>('stats/users', { project: props.project, search, page, limit: 50 }).then(
        (r) => r.results,
      ),
    [props.project, search, page],
  );
  return (
    <main class="grid">
      <Panel
        state={state}
        class="wide"
        testId="users"
        title="Users"
        isEmpty={(u) => u.length === 0}
        empty="No identified users yet (send a user id with identify or events)"
        actions={
          <form
            onSubmit={(e) => {
              e.preventDefault();
              update({ search: typed, page: undefined });
            }}
          >
            <input
              type="search"
              placeholder="Search id or traits"
              aria-label="Search users"
              value={typed}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
          </form>
        }
      >
        {(users) => (
          <>
            <table>
              <thead>
                <tr>
                  <th>User</th>
                  <th>Last seen</th>
                  <th>First seen</th>
                  <th>Visits</th>
                  <th>Events</th>
                  <th>Country</th>
                  <th>Device</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.user_id}>
                    <td>
                      <a
                        href={`/users/${encodeURIComponent(u.user_id)}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`/users/${encodeURIComponent(u.user_id)}`, { project: props.project });
                        }}
                      >
                        {(fieldsOf(u.traits).name as string) ||
                          (fieldsOf(u.traits).email as string) ||
                          u.user_id}
                      </a>
                    </td>
                    <td>{dateTime(u.last_seen)}</td>
                    <td>{dateTime(u.first_seen)}</td>
                    <td>{u.sessions}</td>
                    <td>{u.events}</td>
                    <td>{u.country}</td>
                    <td>{[u.device, u.browser].filter(Boolean).join(' · ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager page={page} more={users.length === 50} />
          </>
        )}
      </Panel>
    </main>
  );
}

function Timeline(props: { events: EventItem[] }) {
  return (
    <ol class="timeline">
      {props.events.map((e) => (
        <li key={e.event_id}>
          <time>{dateTime(e.timestamp)}</time>
          <b>{e.type}</b> <span>{e.path}</span>
          {Object.keys(fieldsOf(e.props)).length > 0 && <code>{JSON.stringify(e.props)}</code>}
        </li>
      ))}
    </ol>
  );
}

export function UserPage(props: { route: Route; project: string; id: string; admin: boolean }) {
  const state = useApi(
    () =>
      get<{ user: User; events: EventItem[] }>(`stats/users/${encodeURIComponent(props.id)}`, {
        project: props.project,
      }),
    [props.project, props.id],
  );
  return (
    <main class="grid">
      <Panel state={state} class="wide" testId="user" title={`User ${props.id}`}>
        {({ user, events }) => (
          <div class="profile">
            <dl>
              <dt>First seen</dt>
              <dd>{dateTime(user.first_seen)}</dd>
              <dt>Last seen</dt>
              <dd>{dateTime(user.last_seen)}</dd>
              <dt>Visits</dt>
              <dd>{user.sessions}</dd>
              <dt>Events</dt>
              <dd>{user.events}</dd>
              <dt>Country · device</dt>
              <dd>{[user.country, user.device, user.browser].filter(Boolean).join(' · ')}</dd>
              {user.app_version && (
                <>
                  <dt>App version</dt>
                  <dd>{user.app_version}</dd>
                </>
              )}
              {Object.entries(fieldsOf(user.traits)).map(([k, v]) => (
                <>
                  <dt key={`t-${k}`}>{k}</dt>
                  <dd key={`v-${k}`}>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
                </>
              ))}
            </dl>
            <Timeline events={events} />
            {props.admin && <PrivacyActions project={props.project} id={props.id} />}
          </div>
        )}
      </Panel>
    </main>
  );
}

export function EventsPage(props: { route: Route; project: string }) {
  const params = { ...statsParams(props.route.params), project: props.project };
  const page = Number(props.route.params.get('page') ?? 1);
  const state = useApi(
    () =>
      get<{ results: EventItem[] }>('stats/events', { ...params, page, limit: 100 }).then((r) => r.results),
    [JSON.stringify(params), page],
  );
  return (
    <main class="grid">
      <Panel
        state={state}
        class="wide"
        testId="events-list"
        title="Events"
        isEmpty={(e) => e.length === 0}
        actions={
          <a class="ghost" href={csvUrl('stats/events', { ...params, limit: 10000 })} download>
            CSV
          </a>
        }
      >
        {(events) => (
          <>
            <table>
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Type</th>
                  <th>Path</th>
                  <th>User / visit</th>
                  <th>Where</th>
                  <th>Properties</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.event_id}>
                    <td>{dateTime(e.timestamp)}</td>
                    <td>{e.type}</td>
                    <td>{e.path}</td>
                    <td>{e.user_id || e.session_id.slice(0, 8)}</td>
                    <td>{[e.country, e.device, e.browser].filter(Boolean).join(' · ')}</td>
                    <td>
                      <code>{JSON.stringify(e.props)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager page={page} more={events.length === 100} />
          </>
        )}
      </Panel>
    </main>
  );
}
