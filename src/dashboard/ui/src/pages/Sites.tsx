/**
 * Settings → Sites: the sites (projects) with their write keys, added, edited and deleted here; those of
 * SIGHTLINE_PROJECTS are shown read-only. Adding a site opens its onboarding: the snippets with its key, and a live
 * check that turns green when the first event arrives.
 */
import { useState } from 'preact/hooks';
import type { NewKey, Site, SiteEvents } from '../../../../query/api-types.ts';
import { errorText, get, patch, post, remove } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { count } from '../format.ts';
import { useApi } from '../use-api.ts';
import { emptyForm, formOf, SiteForm } from './SiteForm.tsx';
import { Keys } from './SiteKeys.tsx';
import { Onboarding } from './SiteOnboarding.tsx';

/** Deleting asks the server for the event count first and sends it back as the confirmation. */
function DeleteSite(props: { site: Site; onDeleted: () => void }) {
  const [stored, setStored] = useState<SiteEvents>();
  const [error, setError] = useState<string>();
  if (!stored)
    return (
      <button
        type="button"
        class="ghost danger"
        onClick={() =>
          get<SiteEvents>(`sites/${encodeURIComponent(props.site.name)}/events`).then(setStored, (e) =>
            setError(errorText(e)),
          )
        }
      >
        Delete{error ? ` (${error})` : ''}
      </button>
    );
  return (
    <span class="confirm-delete" role="alertdialog">
      Delete {props.site.name} and its {count(stored.events)} events? This cannot be undone.{' '}
      <button
        type="button"
        class="danger"
        onClick={() =>
          remove(`sites/${encodeURIComponent(props.site.name)}`, { confirm: stored.events }).then(
            props.onDeleted,
            (e) => {
              setError(errorText(e));
              setStored(undefined);
            },
          )
        }
      >
        Delete {count(stored.events)} events
      </button>{' '}
      <button type="button" class="ghost" onClick={() => setStored(undefined)}>
        Keep
      </button>
    </span>
  );
}

/** `admin`: an admin of every project adds and deletes sites; an admin of some sites edits those and their keys. */
export function SitesCard(props: { admin?: boolean }) {
  const admin = props.admin ?? true;
  const sites = useApi(() => get<{ results: Site[] }>('sites').then((r) => r.results), []);
  const [onboarding, setOnboarding] = useState<{ site: Site; key?: string }>();
  const [editing, setEditing] = useState<string>();
  const [fresh, setFresh] = useState<NewKey & { site: string }>();
  if (onboarding)
    return (
      <Onboarding
        site={onboarding.site}
        {...(onboarding.key ? { keyText: onboarding.key } : {})}
        onClose={() => {
          setOnboarding(undefined);
          sites.reload();
        }}
      />
    );
  return (
    <Panel state={sites} class="wide" title="Sites" testId="sites">
      {(all) => (
        <>
          <table>
            <thead>
              <tr>
                <th>Site</th>
                <th>Domains</th>
                <th>Time zone</th>
                <th>Write keys</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {all.map((s) =>
                editing === s.name ? (
                  <tr key={s.name} data-testid={`site-edit-${s.name}`}>
                    <td colSpan={5}>
                      <b>{s.name}</b>
                      <SiteForm
                        initial={formOf(s)}
                        editing
                        onSubmit={async (body) => {
                          await patch(`sites/${encodeURIComponent(s.name)}`, body);
                          setEditing(undefined);
                          sites.reload();
                        }}
                        onCancel={() => setEditing(undefined)}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={s.name} data-testid={`site-${s.name}`}>
                    <td>
                      <b>{s.display_name || s.name}</b> <code>{s.name}</code>{' '}
                      {s.managed && (
                        <span class="badge" title="SIGHTLINE_PROJECTS: change it there">
                          managed by configuration
                        </span>
                      )}
                      {s.public && <span class="badge">public</span>}
                    </td>
                    <td>{s.domains.join(', ') || <span class="muted">—</span>}</td>
                    <td>{s.time_zone || <span class="muted">viewer's</span>}</td>
                    <td>
                      <Keys
                        site={s}
                        onChange={sites.reload}
                        onNewKey={(k) => {
                          setFresh({ ...k, site: s.name });
                          sites.reload();
                        }}
                      />
                      {fresh?.site === s.name && (
                        <p class="note">
                          New key (shown once): <code data-testid="fresh-key">{fresh.key}</code>
                        </p>
                      )}
                    </td>
                    <td>
                      <button type="button" class="ghost" onClick={() => setOnboarding({ site: s })}>
                        Snippet
                      </button>
                      {!s.managed && (
                        <>
                          <button type="button" class="ghost" onClick={() => setEditing(s.name)}>
                            Edit
                          </button>
                          {admin && <DeleteSite site={s} onDeleted={sites.reload} />}
                        </>
                      )}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
          {admin && (
            <>
              <h3>Add a site</h3>
              <SiteForm
                initial={emptyForm}
                editing={false}
                onSubmit={async (body) => {
                  const created = await post<Site & { key: NewKey }>('sites', body);
                  setOnboarding({ site: created, key: created.key.key });
                }}
              />
            </>
          )}
        </>
      )}
    </Panel>
  );
}
