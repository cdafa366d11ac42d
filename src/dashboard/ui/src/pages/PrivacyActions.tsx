/** A person's privacy actions on their page: export their data, erase them (optionally refusing their new events). */
import { useRef, useState } from 'preact/hooks';
import type { Erased } from '../../../../query/api-types.ts';
import { errorText, query, remove } from '../api.ts';

/** Whole days of `suppress_days` the API takes (src/privacy/suppressions.ts). */
const MAX_SUPPRESS_DAYS = 3650;

/**
 * A person's access and erasure requests (admins and the project's admins; the API refuses anyone else): "Export"
 * downloads the JSON of every row held on them, "Erase" asks for confirmation naming the id, optionally with days
 * during which the person's new events are refused (`suppress_days`), then erases and shows what was removed.
 */
export function PrivacyActions(props: { project: string; id: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string>();
  const [suppressDays, setSuppressDays] = useState('0');
  const path = `people/${encodeURIComponent(props.id)}`;
  const erase = async () => {
    setBusy(true);
    try {
      const days = suppressDays.trim() === '' ? '0' : suppressDays.trim();
      const done = await remove<Erased>(path, {
        project: props.project,
        ...(days !== '0' ? { suppress_days: days } : {}),
      });
      const counts = Object.entries(done.removed)
        .map(([table, n]) => `${n} ${table}`)
        .join(', ');
      setResult(
        `Erased (request ${done.request}): ${counts}.${days !== '0' ? ` New events refused for ${days} days.` : ''}`,
      );
    } catch (err) {
      setResult(`Not erased: ${errorText(err)}`);
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return (
    <div class="form-row privacy-actions">
      <a class="ghost" href={`/api/v1/${path}/export${query({ project: props.project })}`} download>
        Export
      </a>
      <button type="button" class="ghost danger" onClick={() => dialog.current?.showModal()}>
        Erase
      </button>
      {result && (
        <p class="note" data-testid="erase-result">
          {result}
        </p>
      )}
      <dialog ref={dialog} aria-label="Erase this person">
        <p>
          Erase everything held on <b data-testid="erase-subject">{props.id}</b> in {props.project}: events,
          visits, profile, log lines, database changes and dead letters. This cannot be undone — export first
          if they asked for a copy.
        </p>
        <label class="form-row">
          Refuse their new events for
          <input
            type="number"
            name="suppress_days"
            min={0}
            max={MAX_SUPPRESS_DAYS}
            step={1}
            value={suppressDays}
            onInput={(e) => setSuppressDays((e.target as HTMLInputElement).value)}
          />
          days (0: events sent later are stored again)
        </label>
        <div class="form-row">
          <button type="button" class="danger" disabled={busy} onClick={erase}>
            Erase {props.id}
          </button>
          <button type="button" class="ghost" disabled={busy} onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </div>
  );
}
