import { useState } from 'preact/hooks';
import type { Change, ChangeRate as Rate } from '../../../../query/api-types.ts';
import { get } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { dateTime } from '../format.ts';
import { type Route, statsParams, update } from '../url-state.ts';
import { useApi } from '../use-api.ts';

function ChangeList(props: { changes: Change[]; testId: string }) {
  return (
    <ol class="timeline" data-testid={props.testId}>
      {props.changes.map((c) => (
        <li key={`${c.ts}-${c.xid}-${JSON.stringify(c.data)}`}>
          <time>{dateTime(c.ts)}</time>
          <b>{c.type}</b>
          <span>
            {c.database}.{c.table}
          </span>
          {c.primary_key && <span class="muted">key {JSON.stringify(c.primary_key)}</span>}
          <code>{JSON.stringify(c.data)}</code>
          {c.old && <code class="muted">was {JSON.stringify(c.old)}</code>}
          {c.versions !== undefined && (
            <span class="muted">
              {c.versions} {c.versions === 1 ? 'change' : 'changes'}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Per-table change rates, the latest changes (click a table to narrow), and every version of one row. */
export function ChangesPage(props: { route: Route; project: string }) {
  const p = props.route.params;
  const params = { ...statsParams(p), filters: undefined, project: props.project };
  const database = p.get('database') ?? undefined;
  const table = p.get('table') ?? undefined;
  const perRow = p.get('per') === 'row';
  const rates = useApi(
    () => get<{ results: Rate[] }>('db/rates', params).then((r) => r.results),
    [JSON.stringify(params)],
  );
  const latest = useApi(
    () =>
      get<{ results: Change[] }>('db/changes', {
        ...params,
        database,
        table,
        limit: 100,
        per: perRow ? 'row' : undefined,
      }).then((r) => r.results),
    [JSON.stringify(params), database, table, perRow],
  );
  const [key, setKey] = useState(p.get('key') ?? '{"id": 1}');
  const history = useApi(
    () =>
      p.get('key') && database && table
        ? get<{ results: Change[] }>('db/row-history', {
            project: props.project,
            database,
            table,
            key: p.get('key') ?? '',
          }).then((r) => r.results)
        : Promise.resolve(undefined),
    [props.project, database, table, p.get('key')],
  );
  return (
    <main class="grid">
      <Panel
        state={rates}
        class="wide"
        title="Changes per table"
        testId="db-rates"
        isEmpty={(r) => r.length === 0}
        empty="No database changes in this period"
      >
        {(rows) => (
          <table>
            <thead>
              <tr>
                <th>Table</th>
                <th>Inserts</th>
                <th>Updates</th>
                <th>Deletes</th>
                <th>Per minute</th>
                <th>Last change</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.database}.${r.table}`}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      onClick={() => update({ database: r.database, table: r.table })}
                    >
                      {r.database}.{r.table}
                    </button>
                  </td>
                  <td>{r.inserts}</td>
                  <td>{r.updates}</td>
                  <td>{r.deletes}</td>
                  <td>{r.per_minute}</td>
                  <td>{dateTime(r.last_change)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel
        state={latest}
        class="wide"
        title={`${perRow ? 'Latest change of each row' : 'Latest changes'}${table ? ` of ${database}.${table}` : ''}`}
        isEmpty={(c) => c.length === 0}
        actions={
          <>
            <label class="inline">
              <input
                type="checkbox"
                data-testid="db-per-row"
                checked={perRow}
                onChange={(e) => update({ per: (e.target as HTMLInputElement).checked ? 'row' : undefined })}
              />{' '}
              One per row
            </label>
            {table && (
              <button
                type="button"
                class="ghost"
                onClick={() => update({ database: undefined, table: undefined, key: undefined })}
              >
                All tables
              </button>
            )}
          </>
        }
      >
        {(changes) => <ChangeList changes={changes} testId="db-latest" />}
      </Panel>
      {table && (
        <section class="panel wide">
          <header>
            <h2>Row history</h2>
          </header>
          <form
            class="form-row"
            onSubmit={(e) => {
              e.preventDefault();
              update({ key });
            }}
          >
            <input
              aria-label="Primary key (JSON)"
              value={key}
              onInput={(e) => setKey((e.target as HTMLInputElement).value)}
            />
            <button type="submit">Show every version</button>
          </form>
          {history.error && <p class="state error">{history.error.message}</p>}
          {history.data && <ChangeList changes={history.data} testId="db-history" />}
        </section>
      )}
    </main>
  );
}
