/** A new site's onboarding: the snippets to paste, with its key, and a live check for its first event. */
import { useEffect, useState } from 'preact/hooks';
import type { Site, SiteEvents } from '../../../../query/api-types.ts';
import { errorText, get } from '../api.ts';
import { count, dateTime } from '../format.ts';

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
