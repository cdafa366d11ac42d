/** The form that adds a site or edits one's settings. */
import { useState } from 'preact/hooks';
import type { Site } from '../../../../query/api-types.ts';
import { errorText } from '../api.ts';

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export interface FormState {
  name: string;
  display_name: string;
  domains: string;
  time_zone: string;
  allowed_origins: string;
  retention_days: string;
  public: boolean;
}

export const emptyForm: FormState = {
  name: '',
  display_name: '',
  domains: '',
  time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  allowed_origins: '',
  retention_days: '0',
  public: false,
};

export const formOf = (s: Site): FormState => ({
  name: s.name,
  display_name: s.display_name,
  domains: s.domains.join(', '),
  time_zone: s.time_zone,
  allowed_origins: s.allowed_origins.join(', '),
  retention_days: String(s.retention_days),
  public: s.public,
});

export function SiteForm(props: {
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
