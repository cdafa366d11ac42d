/** A site's write keys: listed, added, rotated with a grace period, revoked. */
import { useState } from 'preact/hooks';
import type { NewKey, Site } from '../../../../query/api-types.ts';
import { del, errorText, post } from '../api.ts';
import { dateTime } from '../format.ts';

export function Keys(props: { site: Site; onChange: () => void; onNewKey: (k: NewKey) => void }) {
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
