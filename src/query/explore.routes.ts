/**
 * Explore: an admin's own SQL against the store — the seeds' "make an SQL query → get a table → create a
 * visualisation" — plus saved queries. Read-only (the engine's `readonly = 1`, after the checks of
 * src/store/sql-guard.ts), time- and row-limited, whatever the SQL says.
 */

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inputOf, inputProblems, routeSchema } from '../server/route-schemas.ts';
import { StoreError } from '../store/errors.ts';
import { checkRead, SqlRefused, type Statement } from '../store/sql-guard.ts';
import type { Store } from '../store/store.ts';
import type { ExploreResult, Results, SavedQuery } from './api-types.ts';
import { badParams, notFound, sqlFailed, sqlRefused } from './errors.ts';
import type { QueryConfig } from './query.settings.ts';
import { type createReadAuth, requireAdmin } from './read-auth.ts';
import { send } from './request-params.ts';

const MAX_SQL = 20_000;

/**
 * The user's statement, checked (one SELECT or WITH … SELECT; no SETTINGS — a subquery's own settings would lift
 * the limits —, nothing that reaches the host, no secret or private system tables), becomes a subquery under a row
 * cap. It runs with the engine's `readonly = 1` and the query time budget (store.query's options).
 */
export function exploreSql(sql: string, maxRows: number): string {
  if (sql.trim() === '') throw badParams([{ param: 'sql', message: 'is empty' }]);
  if (sql.length > MAX_SQL)
    throw badParams([{ param: 'sql', message: `is longer than ${MAX_SQL} characters` }]);
  let statement: Statement;
  try {
    statement = checkRead(sql, { selectOnly: true });
  } catch (err) {
    if (!(err instanceof SqlRefused)) throw err;
    throw sqlRefused(err.message, err.reason);
  }
  // Balanced parentheses keep the statement inside the subquery: `1) UNION ALL (SELECT …` cannot step out of it.
  let depth = 0;
  for (const token of statement.tokens) {
    if (token.kind !== 'punct') continue;
    if (token.value === '(') depth++;
    else if (token.value === ')' && --depth < 0) break;
  }
  if (depth !== 0) throw sqlRefused('unbalanced parentheses', 'SYNTAX');
  return `SELECT * FROM (\n${statement.sql}\n) LIMIT ${maxRows + 1}`;
}

const sqlHint = 'is required (a SELECT statement)';

/** `POST /api/v1/explore/query`; other fields are ignored. */
const queryBody = {
  type: 'object',
  properties: {
    sql: {
      type: 'string',
      maxLength: MAX_SQL,
      hint: { type: sqlHint, maxLength: `is longer than ${MAX_SQL} characters` },
      missingHint: sqlHint,
    },
  },
  required: ['sql'],
};

interface SavedBody {
  id?: string;
  name?: string;
  sql?: string;
  chart?: unknown;
}

/** A saved query; `chart` is the dashboard's own (any JSON, bounded by the body limit). */
const savedBody = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f-]{36}$', hint: 'must be the id of a saved query' },
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S', hint: 'must be 1-200 characters' },
    sql: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_SQL,
      pattern: '\\S',
      hint: `must be 1-${MAX_SQL} characters`,
    },
    chart: {},
  },
  required: ['name', 'sql'],
};

export async function exploreRoutes(
  app: FastifyInstance,
  deps: { store: Store; config: QueryConfig; authenticate: ReturnType<typeof createReadAuth> },
): Promise<void> {
  const { store, config, authenticate } = deps;
  const maxRows = Math.min(config.queryMaxRows, 10_000);

  app.post('/api/v1/explore/query', routeSchema({ body: queryBody }), async (request, reply) => {
    requireAdmin(await authenticate(request));
    const problems = inputProblems(request);
    const { sql } = inputOf<{ sql?: string }>(request, 'body');
    if (problems.length > 0 || sql === undefined) throw badParams(problems);
    const started = performance.now();
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await store.query<Record<string, unknown>>(
        exploreSql(sql, maxRows),
        {},
        { timeoutMs: config.queryTimeoutMs, readonly: true },
      );
    } catch (err) {
      // The database's own message is what an SQL author needs (syntax, unknown column, readonly).
      const cause = (err as { cause?: Error }).cause;
      const unreachable = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|socket hang up|fetch failed/i;
      if (
        err instanceof StoreError &&
        err.code !== 'STORE_ERR_TIMEOUT' &&
        cause?.message &&
        !unreachable.test(cause.message)
      )
        throw sqlFailed(cause.message.split('\n')[0].slice(0, 2000));
      throw err;
    }
    const truncated = rows.length > maxRows;
    if (truncated) rows = rows.slice(0, maxRows);
    return send(reply, {
      columns: rows.length > 0 ? Object.keys(rows[0]) : [],
      rows,
      truncated,
      max_rows: maxRows,
      elapsed_ms: Math.round(performance.now() - started),
    } satisfies ExploreResult);
  });

  app.get('/api/v1/explore/saved', async (request, reply) => {
    requireAdmin(await authenticate(request));
    const rows = await store.query<Record<string, string>>(
      `SELECT id, name, sql, chart, created_by, toString(updated_at) AS updated
         FROM saved_queries FINAL WHERE NOT deleted ORDER BY name`,
    );
    const results: SavedQuery[] = rows.map((r) => ({
      id: r.id,
      name: r.name,
      sql: r.sql,
      chart: JSON.parse(r.chart || '{}'),
      created_by: r.created_by,
      updated_at: `${r.updated.replace(' ', 'T')}Z`,
    }));
    return send(reply, { results } satisfies Results<SavedQuery>);
  });

  app.post('/api/v1/explore/saved', routeSchema({ body: savedBody }), async (request, reply) => {
    const scope = await authenticate(request);
    requireAdmin(scope);
    const { id, name, sql, chart } = inputOf<SavedBody>(request, 'body');
    const problems = inputProblems(request);
    if (problems.length > 0 || name === undefined || sql === undefined) throw badParams(problems);
    const saved = {
      id: id ?? randomUUID(),
      name: name.trim(),
      sql,
      chart: JSON.stringify(chart ?? {}),
      created_by: scope.kind === 'user' ? scope.email : 'admin token',
      updated_at: new Date().toISOString(),
      deleted: false,
      version: Date.now(),
    };
    await store.insert('saved_queries', [saved], `saved:${saved.id}:${saved.version}`);
    return reply.code(id ? 200 : 201).send({ ...saved, chart: chart ?? {} });
  });

  app.delete(
    '/api/v1/explore/saved/:id',
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      requireAdmin(await authenticate(request));
      const [row] = await store.query<Record<string, string>>(
        `SELECT id, name, sql, chart, created_by FROM saved_queries FINAL WHERE id = {id:String} AND NOT deleted`,
        { id: request.params.id },
      );
      if (!row) throw notFound(`no saved query "${request.params.id}"`);
      const version = Date.now();
      await store.insert(
        'saved_queries',
        [{ ...row, updated_at: new Date().toISOString(), deleted: true, version }],
        `saved:${row.id}:${version}`,
      );
      return reply.code(204).send();
    },
  );
}
