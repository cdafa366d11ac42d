/**
 * A ClickHouse HTTP interface over the embedded store (off by default; `SIGHTLINE_CLICKHOUSE_HTTP`). Enough of it
 * for `@clickhouse/client` and other HTTP clients: `GET /ping`, queries by `GET`/`POST` (SQL in `query` or the
 * body, data in the body when the SQL is in `query`), `param_*` query parameters, `default_format`, `query_id`,
 * the settings in EXEC_SETTINGS, authentication by `X-ClickHouse-User`/`X-ClickHouse-Key`, HTTP Basic or
 * `user`/`password`. Read-only unless writes are enabled. See docs/clickhouse-http.md.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../../observe/logger.ts';
import { EXEC_SETTINGS, type QueryParams, type Store } from '../store.ts';
import { NativeTypeUnsupported, nativeForRevision } from './native-revision.ts';
import { CONTENT_TYPES, isMultiStatement, isRead, namedFormat, reachesOutside } from './sql-statement.ts';

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
const CODES = { AUTH: 516, READONLY: 164, SYNTAX: 62, ILLEGAL_TYPE: 43, UNKNOWN: 1002 } as const;

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
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    let sql = q.query;
    let data: Buffer | undefined;
    if (sql === undefined) sql = body?.toString('utf8') ?? '';
    else if (body && body.length > 0) data = body;
    if (sql.trim() === '') {
      if (request.method === 'GET') return ok(request, reply);
      return fail(reply, 400, CODES.SYNTAX, 'SYNTAX_ERROR', 'Empty query');
    }
    const read = isRead(sql);
    const writes = options.writes && request.method === 'POST';
    if (!read && !writes)
      return fail(
        reply,
        403,
        CODES.READONLY,
        'READONLY',
        `${user}: Cannot execute query in readonly mode (writes are off on this endpoint${options.writes ? '; use POST' : ''})`,
      );
    if (!options.writes && reachesOutside(sql))
      return fail(
        reply,
        403,
        CODES.READONLY,
        'READONLY',
        'table functions that read outside the store are not available on this endpoint',
      );
    if (!data && read && isMultiStatement(sql))
      return fail(reply, 400, CODES.SYNTAX, 'SYNTAX_ERROR', 'Multi-statements are not allowed');
    let format = namedFormat(sql);
    if (!format && read && firstWordIsSelectLike(sql) && q.default_format) {
      format = q.default_format;
      sql = `${sql.trim().replace(/;\s*$/, '')}\nFORMAT ${format}`;
    }
    const params: QueryParams = {};
    const settings: Record<string, string> = {};
    for (const [name, value] of Object.entries(q)) {
      if (name.startsWith('param_')) params[name.slice(6)] = value;
      else if ((EXEC_SETTINGS as readonly string[]).includes(name)) settings[name] = value;
    }
    const queryId = q.query_id || randomUUID();
    // clickhouse-go (Grafana's data source) names its protocol revision and reads Native blocks in that layout.
    const revision = format === 'Native' ? Number(q.client_protocol_version ?? 0) || 0 : 0;
    try {
      const output = await options.store.exec(sql, params, settings, data);
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
        .code(code === 62 || code === 47 || code === 60 || code === 43 ? 400 : 500)
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

function firstWordIsSelectLike(sql: string): boolean {
  return /^\s*(\(|--|\/\*)*\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS|EXPLAIN)\b/i.test(sql);
}
