/**
 * Settings → Sites: the sites (projects) with their write keys, added, edited and deleted here; those of
 * SIGHTLINE_PROJECTS are shown read-only. Adding a site opens its onboarding: the snippets with its key, and a live
 * check that turns green when the first event arrives.
 */
import { useEffect, useState } from 'preact/hooks';
import type { NewKey, Site, SiteEvents } from '../../../../query/api-types.ts';
import { del, errorText, get, patch, post, remove } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { count, dateTime } from '../format.ts';
import { useApi } from '../use-api.ts';

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The snippets a new site needs, with its key when it was just made (otherwise a placeholder). */
export function snippets(site: Site, key: string | undefined) {
  const origin = location.origin;
  const k = key ?? (site.keyless ? undefined : 'YOUR_WRITE_KEY');
  return {
    script: `<script defer src="${origin}/s.js" data-project="${site.name}"${k ? ` data-key="${k}"` : ''}></script>`,
    curl: `curl -X POST '${origin}/e' -H 'content-type: application/json' -H 'X-App: ${site.name}'${k ? ` -H 'X-Project-Key: ${k}'` : ''} -d '{"type":"pageview","url":"https://${site.domains[0] ?? 'example.com'}/"}'`,
    segment: `new Analytics({ writeKey: '${k ?? site.name}', host: '${origin}' })`,
    snowplow: `newTracker('sp', '${location.host}', { appId: '${site.domains[0] ?? site.name}' })`,
  };
}

function Snippet(props: { label: string; code: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="snippet">
      <div class="snippet-head">
        <b>{props.label}</b>
        <button
          type="button"
          class="ghost"
          onClick={() =>
            navigator.clipboard?.writeText(props.code).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre data-testid={props.testId}>
        <code>{props.code}</code>
      </pre>
    </div>
  );
}

/** The first-run screen of a site: what to paste where, and whether anything has arrived yet. */
export function Onboarding(props: { site: Site; keyText?: string; onClose: () => void }) {
  const { site } = props;
  const [state, setState] = useState<SiteEvents | undefined>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stop = false;
    const poll = () =>
      get<SiteEvents>(`sites/${encodeURIComponent(site.name)}/events`).then(
        (s) => {
          if (stop) return;
          setState(s);
          setError(undefined);
          if (s.events === 0) timer = setTimeout(poll, 2000);
        },
        (e) => {
          if (stop) return;
          setError(errorText(e));
          timer = setTimeout(poll, 5000);
        },
      );
    let timer = setTimeout(poll, 0);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [site.name]);
  const s = snippets(site, props.keyText);
  const arrived = state !== undefined && state.events > 0;
  return (
    <section class="panel wide onboarding" data-testid="onboarding">
      <header>
        <h2>Set up {site.display_name || site.name}</h2>
        <div class="actions">
          <button type="button" class="ghost" onClick={props.onClose}>
            Close
          </button>
        </div>
      </header>
      {props.keyText ? (
        <p class="note">
          Write key (shown once, only its hash is kept): <code data-testid="new-key">{props.keyText}</code>
        </p>
      ) : (
        !site.keyless && (
          <p class="muted">
            The key is shown once, when it is made: paste yours, or rotate to get a new one.
          </p>
        )
      )}
      <Snippet label="Website: add to every page's <head>" code={s.script} testId="snippet-script" />
      <Snippet label="From a server (native API)" code={s.curl} testId="snippet-curl" />
      <Snippet label="Segment SDKs: change the host" code={s.segment} testId="snippet-segment" />
      <Snippet
        label="Snowplow trackers: the app id is one of the site's domains (Snowplow and Plausible send no key)"
        code={s.snowplow}
        testId="snippet-snowplow"
      />
      {site.allowed_origins.length > 0 && (
        <p class="muted">Browsers may send from {site.allowed_origins.join(', ')} only.</p>
      )}
      <p
        class={`first-event ${arrived ? 'received' : 'waiting'}`}
        data-testid="first-event"
        role="status"
        aria-live="polite"
      >
        {arrived
          ? `First event received ✓ (${count(state.events)} stored, latest ${dateTime(state.latest ?? '')})`
          : (error ?? 'Waiting for the first event…')}
      </p>
      {arrived && (
        <p>
          <a href={`/?project=${encodeURIComponent(site.name)}`}>Open the dashboard of {site.name}</a>
        </p>
      )}
    </section>
  );
}

interface FormState {
  name: string;
  display_name: string;
  domains: string;
  time_zone: string;
  allowed_origins: string;
  retention_days: string;
  public: boolean;
}

const emptyForm: FormState = {
  name: '',
  display_name: '',
  domains: '',
  time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  allowed_origins: '',
  retention_days: '0',
  public: false,
};

const formOf = (s: Site): FormState => ({
  name: s.name,
  display_name: s.display_name,
  domains: s.domains.join(', '),
  time_zone: s.time_zone,
  allowed_origins: s.allowed_origins.join(', '),
  retention_days: String(s.retention_days),
  public: s.public,
});

function SiteForm(props: {
  initial: FormState;
  editing: boolean;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel?: () => void;
}) {
  const [form, setForm] = useState(props.initial);
  const [error, setError] = useState<string>();
  const set = (k: keyof FormState) => (e: Event) =>
    setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await props.onSubmit({
        ...(props.editing ? {} : { name: form.name.trim() }),
        display_name: form.display_name.trim() || form.name.trim(),
        domains: list(form.domains),
        time_zone: form.time_zone.trim(),
        allowed_origins: list(form.allowed_origins),
        retention_days: Number(form.retention_days),
        public: form.public,
      });
      setError(undefined);
      if (!props.editing) setForm(emptyForm);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="form-row site-form" onSubmit={submit}>
      {!props.editing && (
        <input
          required
          placeholder="Project id (e.g. shop)"
          aria-label="Site name"
          value={form.name}
          onInput={set('name')}
        />
      )}
      <input
        placeholder="Display name"
        aria-label="Display name"
        value={form.display_name}
        onInput={set('display_name')}
      />
      <input
        placeholder="Domains (shop.example.com, …)"
        aria-label="Domains"
        value={form.domains}
        onInput={set('domains')}
      />
      <input
        placeholder="Time zone (empty = each viewer's)"
        aria-label="Time zone"
        value={form.time_zone}
        onInput={set('time_zone')}
      />
      <input
        placeholder="Allowed origins (https://shop.example.com, …; empty = any)"
        aria-label="Allowed origins"
        value={form.allowed_origins}
        onInput={set('allowed_origins')}
      />
      <label>
        Keep{' '}
        <input
          type="number"
          min="0"
          aria-label="Retention days"
          value={form.retention_days}
          onInput={set('retention_days')}
          style="width: 6rem"
        />{' '}
        days (0 = server default)
      </label>
      <label>
        <input
          type="checkbox"
          aria-label="Public"
          checked={form.public}
          onChange={(e) => setForm({ ...form, public: (e.target as HTMLInputElement).checked })}
        />{' '}
        Public
      </label>
      <button type="submit">{props.editing ? 'Save' : 'Add site'}</button>
      {props.onCancel && (
        <button type="button" class="ghost" onClick={props.onCancel}>
          Cancel
        </button>
      )}
      {error && (
        <p class="note error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

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

function Keys(props: { site: Site; onChange: () => void; onNewKey: (k: NewKey) => void }) {
  const { site } = props;
  const [grace, setGrace] = useState('86400');
  const [error, setError] = useState<string>();
  const base = `sites/${encodeURIComponent(site.name)}/keys`;
  const act = (p: Promise<unknown>) => p.then(props.onChange, (e) => setError(errorText(e)));
  if (site.keyless) return <span class="muted">no key needed</span>;
  return (
    <div class="site-keys">
      <ul class="plain">
        {site.keys.map((k) => (
          <li key={k.id} data-testid="site-key">
            <code>{k.prefix}…</code>{' '}
            {k.managed ? (
              <span class="badge">configuration</span>
            ) : (
              <>
                {k.expires_at && <span class="muted">works until {dateTime(k.expires_at)} </span>}
                {!site.managed && !k.expires_at && (
                  <button
                    type="button"
                    class="ghost"
                    onClick={() =>
                      act(
                        post<NewKey>(`${base}/${k.id}/rotate`, { grace_seconds: Number(grace) }).then(
                          props.onNewKey,
                        ),
                      )
                    }
                  >
                    Rotate
                  </button>
                )}
                {!site.managed && (
                  <button type="button" class="ghost danger" onClick={() => act(del(`${base}/${k.id}`))}>
                    Revoke
                  </button>
                )}
              </>
            )}
          </li>
        ))}
        {site.keys.length === 0 && <li class="muted">no live key: every write is refused</li>}
      </ul>
      {!site.managed && (
        <div class="form-row">
          <label>
            Old key works for{' '}
            <select
              aria-label="Grace period"
              value={grace}
              onChange={(e) => setGrace((e.target as HTMLSelectElement).value)}
            >
              <option value="0">0 (at once)</option>
              <option value="3600">1 hour</option>
              <option value="86400">24 hours</option>
              <option value="604800">7 days</option>
            </select>{' '}
            after a rotation
          </label>
          <button
            type="button"
            class="ghost"
            onClick={() => act(post<NewKey>(base, {}).then(props.onNewKey))}
          >
            Add key
          </button>
        </div>
      )}
      {error && (
        <p class="note error" role="alert">
          {error}
        </p>
      )}
    </div>
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
