/**
 * A ClickHouse HTTP interface over the embedded store (off by default; `SIGHTLINE_CLICKHOUSE_HTTP`). Enough of it
 * for `@clickhouse/client` and other HTTP clients: `GET /ping`, queries by `GET`/`POST` (SQL in `query` or the
 * body, data in the body when the SQL is in `query`), `param_*` query parameters, `default_format`, `query_id`,
 * the settings in EXEC_SETTINGS, authentication by `X-ClickHouse-User`/`X-ClickHouse-Key`, HTTP Basic or
 * `user`/`password`. Read-only unless writes are enabled: reads run with the engine's `readonly = 1` after the checks
 * of ../sql-guard.ts (sql-statement.ts decides). See docs/clickhouse-http.md.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../../observe/logger.ts';
import { type Refusal, SqlRefused } from '../sql-guard.ts';
import { EXEC_SETTINGS, type QueryParams, type Store } from '../store.ts';
import { NativeTypeUnsupported, nativeForRevision } from './native-revision.ts';
import { CONTENT_TYPES, type Plan, planRequest } from './sql-statement.ts';

export interface ClickHouseHttpOptions {
  store: Store;
  host: string;
  port: number;
  user: string;
  password: string;
  writes: boolean;
  logger: Logger;
  /** Largest request body (inserts), bytes. */
  bodyLimit?: number;
}

/** ClickHouse's own error codes for the failures this layer raises. */
const CODES = {
  AUTH: 516,
  READONLY: 164,
  SYNTAX: 62,
  ILLEGAL_TYPE: 43,
  ACCESS_DENIED: 497,
  UNKNOWN: 1002,
} as const;

/** A refusal as ClickHouse would answer it: HTTP status, exception code and name. */
const REFUSALS: Record<Refusal, [status: number, code: number, name: string]> = {
  SYNTAX: [400, CODES.SYNTAX, 'SYNTAX_ERROR'],
  MULTI_STATEMENT: [400, CODES.SYNTAX, 'SYNTAX_ERROR'],
  READONLY: [403, CODES.READONLY, 'READONLY'],
  OUTSIDE: [403, CODES.READONLY, 'READONLY'],
  SETTINGS: [403, CODES.READONLY, 'READONLY'],
  TABLE: [403, CODES.ACCESS_DENIED, 'ACCESS_DENIED'],
};

/** Engine errors a caller caused (bad SQL, unknown names, readonly, access) are 4xx, as on a ClickHouse server. */
const CLIENT_ERROR_STATUS: Record<number, number> = {
  62: 400,
  47: 400,
  60: 400,
  43: 400,
  46: 400,
  164: 403,
  497: 403,
};

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function credentials(request: FastifyRequest<{ Querystring: Record<string, string> }>): [string, string] {
  const h = request.headers;
  if (typeof h['x-clickhouse-user'] === 'string')
    return [h['x-clickhouse-user'], typeof h['x-clickhouse-key'] === 'string' ? h['x-clickhouse-key'] : ''];
  const basic = /^Basic\s+(.+)$/i.exec(h.authorization ?? '');
  if (basic) {
    const text = Buffer.from(basic[1], 'base64').toString('utf8');
    const i = text.indexOf(':');
    return [text.slice(0, i), text.slice(i + 1)];
  }
  return [request.query.user ?? 'default', request.query.password ?? ''];
}

function fail(reply: FastifyReply, status: number, code: number, name: string, message: string) {
  return reply
    .code(status)
    .header('x-clickhouse-exception-code', String(code))
    .type('text/plain; charset=UTF-8')
    .send(`Code: ${code}. DB::Exception: ${message}. (${name}) (version sightline)\n`);
}

export async function startClickHouseHttp(options: ClickHouseHttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 256 * 1024 * 1024,
    // Query parameters travel in the URL (`param_ids=[…thousands of UUIDs…]`); ClickHouse takes URLs of 1 MiB.
    serverFactory: (handler) => http.createServer({ maxHeaderSize: 1024 * 1024 }, handler),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const ok = async (_request: FastifyRequest, reply: FastifyReply) => reply.type('text/plain').send('Ok.\n');
  app.get('/ping', ok);
  app.get('/replicas_status', ok);

  const handle = async (
    request: FastifyRequest<{ Querystring: Record<string, string> }>,
    reply: FastifyReply,
  ) => {
    const [user, password] = credentials(request);
    if (user !== options.user || !same(password, options.password))
      return fail(
        reply,
        401,
        CODES.AUTH,
        'AUTHENTICATION_FAILED',
        `${user}: Authentication failed: password is incorrect, or there is no user with such name`,
      );
    const q = request.query;
    const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
    const sqlText = q.query ?? body?.toString('utf8') ?? '';
    if (sqlText.trim() === '') {
      if (request.method === 'GET') return ok(request, reply);
      return fail(reply, 400, CODES.SYNTAX, 'SYNTAX_ERROR', 'Empty query');
    }
    const params: QueryParams = {};
    const settings: Record<string, string> = {};
    for (const [name, value] of Object.entries(q)) {
      if (name.startsWith('param_')) params[name.slice(6)] = value;
      else if ((EXEC_SETTINGS as readonly string[]).includes(name)) settings[name] = value;
    }
    let plan: Plan;
    try {
      plan = planRequest({
        sql: sqlText,
        body: q.query === undefined ? undefined : body,
        params,
        mayWrite: options.writes && request.method === 'POST',
        writesEnabled: options.writes,
      });
    } catch (err) {
      if (!(err instanceof SqlRefused)) throw err;
      const [status, code, name] = REFUSALS[err.reason];
      return fail(reply, status, code, name, `${user}: ${err.message}`);
    }
    const { statement, data } = plan;
    let sql = statement.sql;
    let format = statement.format;
    if (
      !format &&
      ['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN'].includes(statement.keyword)
    ) {
      if (q.default_format) {
        format = q.default_format;
        sql = `${sql}\nFORMAT ${format}`;
      }
    }
    const queryId = q.query_id || randomUUID();
    // clickhouse-go (Grafana's data source) names its protocol revision and reads Native blocks in that layout.
    const revision = format === 'Native' ? Number(q.client_protocol_version ?? 0) || 0 : 0;
    try {
      const output = await options.store.exec(sql, params, settings, data, { readonly: plan.readonly });
      const result = revision > 0 ? nativeForRevision(output, revision) : output;
      return reply
        .header('x-clickhouse-query-id', queryId)
        .header('x-clickhouse-format', format ?? 'TabSeparated')
        .header('x-clickhouse-timezone', 'UTC')
        .header('x-clickhouse-server-display-name', 'sightline')
        .header(
          'x-clickhouse-summary',
          '{"read_rows":"0","read_bytes":"0","written_rows":"0","written_bytes":"0","total_rows_to_read":"0"}',
        )
        .type(CONTENT_TYPES[format ?? ''] ?? 'text/tab-separated-values; charset=UTF-8')
        .send(result);
    } catch (err) {
      if (err instanceof NativeTypeUnsupported)
        return fail(reply, 400, CODES.ILLEGAL_TYPE, 'ILLEGAL_TYPE_OF_ARGUMENT', err.message);
      const text = ((err as { cause?: Error }).cause ?? (err as Error)).message ?? String(err);
      const code = Number(/Code: (\d+)/.exec(text)?.[1] ?? CODES.UNKNOWN);
      reply.header('x-clickhouse-query-id', queryId);
      // The engine's own message already reads "Code: N. DB::Exception: …"; pass it through as ClickHouse does.
      return reply
        .code(CLIENT_ERROR_STATUS[code] ?? 500)
        .header('x-clickhouse-exception-code', String(code))
        .type('text/plain; charset=UTF-8')
        .send(
          /^Code: \d+/.test(text)
            ? `${text}\n`
            : `Code: ${code}. DB::Exception: ${text}. (UNKNOWN) (version sightline)\n`,
        );
    }
  };
  app.get('/', handle);
  app.post('/', handle);
  await app.listen({ host: options.host, port: options.port });
  options.logger.info(
    { address: `${options.host}:${options.port}`, writes: options.writes },
    'ClickHouse-compatible HTTP endpoint listening',
  );
  return app;
}
