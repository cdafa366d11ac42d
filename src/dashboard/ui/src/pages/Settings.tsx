import { useState } from 'preact/hooks';
import type { Account, PrivacyRequest, Share } from '../../../../query/api-types.ts';
import { del, errorText, get, type Me, post } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { ProjectSelect } from '../components/ProjectSelect.tsx';
import { dateTime } from '../format.ts';
import { useApi } from '../use-api.ts';
import { GoalsCard } from './GoalsSettings.tsx';
import { SitesCard } from './Sites.tsx';

function InvitationExpiry(props: { at: string }) {
  const expired = Date.parse(props.at) <= Date.now();
  return (
    <span class="muted invitation-expiry">
      {expired
        ? `invitation expired ${dateTime(props.at)}; invite again`
        : `link valid until ${dateTime(props.at)}`}
    </span>
  );
}

function UsersCard(props: { me: Me }) {
  const users = useApi(() => get<{ results: Account[] }>('dashboard/users').then((r) => r.results), []);
  const [form, setForm] = useState({ email: '', name: '', role: 'viewer', projects: '*', password: '' });
  const [message, setMessage] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const created = await post<Account & { invite_url?: string }>('dashboard/users', {
        email: form.email,
        name: form.name,
        role: form.role,
        projects: form.projects === '*' ? '*' : [form.projects],
        ...(form.password ? { password: form.password } : {}),
      });
      setMessage(
        created.invite_url
          ? `Invitation link for ${created.email} (shown once, valid until ${dateTime(created.invitation_expires ?? '')}): ${location.origin}${created.invite_url}`
          : `${created.email} can log in now.`,
      );
      setForm({ ...form, email: '', name: '', password: '' });
      users.reload();
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  return (
    <Panel state={users} class="wide" title="Dashboard users">
      {(list) => (
        <>
          <table>
            <thead>
              <tr>
                <th>E-mail</th>
                <th>Name</th>
                <th>Access</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.email}>
                  <td>
                    {u.email} {u.invited && <span class="badge">invited</span>}{' '}
                    {u.invitation_expires && <InvitationExpiry at={u.invitation_expires} />}
                  </td>
                  <td>{u.name}</td>
                  <td>
                    {Object.entries(u.roles)
                      .map(([p, r]) => `${r} of ${p === '*' ? 'every project' : p}`)
                      .join(', ')}
                  </td>
                  <td>
                    <button
                      type="button"
                      class="ghost"
                      onClick={() => del(`dashboard/users/${encodeURIComponent(u.email)}`).then(users.reload)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form class="form-row" onSubmit={submit}>
            <input
              required
              type="email"
              placeholder="E-mail"
              aria-label="E-mail"
              value={form.email}
              onInput={(e) => setForm({ ...form, email: (e.target as HTMLInputElement).value })}
            />
            <input
              placeholder="Name"
              aria-label="Name"
              value={form.name}
              onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })}
            />
            <select
              aria-label="Role"
              value={form.role}
              onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value })}
            >
              <option value="viewer">Viewer</option>
              <option value="admin">Admin</option>
            </select>
            <ProjectSelect
              label="Projects"
              projects={props.me.projects}
              value={form.projects}
              onChange={(projects) => setForm({ ...form, projects })}
            >
              <option value="*">Every project</option>
            </ProjectSelect>
            <input
              type="password"
              placeholder="Password (empty = invite)"
              aria-label="Password"
              value={form.password}
              onInput={(e) => setForm({ ...form, password: (e.target as HTMLInputElement).value })}
            />
            <button type="submit">{form.password ? 'Create' : 'Invite'}</button>
          </form>
          {message && <p class="note">{message}</p>}
        </>
      )}
    </Panel>
  );
}

function SharesCard(props: { me: Me }) {
  const shares = useApi(() => get<{ results: Share[] }>('shares').then((r) => r.results), []);
  const [project, setProject] = useState(props.me.projects[0]);
  const [created, setCreated] = useState<string>();
  return (
    <Panel state={shares} class="wide" title="Share links (read-only public dashboards)">
      {(list) => (
        <>
          <ul class="plain">
            {list.map((s) => (
              <li key={s.id}>
                <b>{s.project}</b> {s.name} <span class="muted">{dateTime(s.created_at)}</span>{' '}
                <button type="button" class="ghost" onClick={() => del(`shares/${s.id}`).then(shares.reload)}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
          <div class="form-row">
            <ProjectSelect
              label="Project to share"
              projects={props.me.projects}
              value={project}
              onChange={setProject}
            />
            <button
              type="button"
              onClick={async () => {
                const link = await post<{ url: string }>('shares', { project, name: `${project} public` });
                setCreated(`${location.origin}${link.url}`);
                shares.reload();
              }}
            >
              Create share link
            </button>
          </div>
          {created && (
            <p class="note">
              Link (shown once): <code>{created}</code>
            </p>
          )}
        </>
      )}
    </Panel>
  );
}

/**
 * The audit of erasures and exports: who, when, what (a hash of the id, never the id) and how many rows. A project's
 * admin gets its projects' requests only (the API filters).
 */
function PrivacyCard() {
  const requests = useApi(
    () => get<{ results: PrivacyRequest[] }>('privacy/requests', { limit: 100 }).then((r) => r.results),
    [],
  );
  return (
    <Panel
      state={requests}
      class="wide"
      testId="privacy-requests"
      title="Privacy requests (erasures and exports)"
    >
      {(list) =>
        list.length === 0 ? (
          <p class="muted">No erasure or export yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Requested</th>
                <th>Kind</th>
                <th>Project</th>
                <th>Person (SHA-256)</th>
                <th>By</th>
                <th>Status</th>
                <th>Rows</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td>{dateTime(r.requested_at)}</td>
                  <td>{r.kind}</td>
                  <td>{r.project}</td>
                  <td>
                    <code title={r.subject_hash}>
                      {r.subject_type} {r.subject_hash.slice(0, 12)}…
                    </code>
                  </td>
                  <td>{r.requested_by}</td>
                  <td>{r.status}</td>
                  <td>
                    {Object.entries(r.counts)
                      .filter(([, n]) => n > 0)
                      .map(([t, n]) => `${n} ${t}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Panel>
  );
}

export function SettingsPage(props: { me: Me }) {
  // An admin of some projects only: their sites, goals and privacy requests, nothing of the whole installation.
  if (!props.me.admin)
    return (
      <main class="grid">
        <SitesCard admin={false} />
        <GoalsCard me={props.me} />
        <PrivacyCard />
      </main>
    );
  return (
    <main class="grid">
      <SitesCard admin={props.me.admin} />
      <GoalsCard me={props.me} />
      <UsersCard me={props.me} />
      <SharesCard me={props.me} />
      <PrivacyCard />
    </main>
  );
}
