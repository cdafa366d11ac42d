/**
 * `POST /logs`: what log shippers send — Fluent Bit's `http` output (json, json_lines, json_stream), Vector's `http`
 * sink, Filebeat, generic JSON lines, or raw lines with `?format=nginx|syslog|text`. Project as for events
 * (`X-App` or `?app=`, key when the project has one). Good lines are accepted even when others are bad: the answer
 * lists each bad line with its number and reason (and they are kept as dead letters).
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LOGS_TOPIC } from '../contract/topics.ts';
import { LINE_FORMATS, type LineFormat, splitLogBody } from '../log-lines/log-body.ts';
import { logCall } from '../log-lines/log-pipeline.ts';
import { badLogFormat, invalidLogs } from './errors.ts';
import { type IngestDeps, ingest } from './ingest.ts';
import { checkJsonDepth } from './json-body.ts';
import type { ProjectKeys } from './project-keys.ts';

interface LogsQuery {
  app?: string;
  k?: string;
  format?: string;
  source?: string;
}

const REPORTED = 100;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function logsRoutes(app: FastifyInstance, deps: IngestDeps & { keys: ProjectKeys }): void {
  app.post<{ Querystring: LogsQuery; Body: Buffer }>('/logs', async (request, reply) => {
    const project = deps.keys.authorize(
      header(request, 'x-app') ?? request.query.app,
      header(request, 'x-project-key') ?? request.query.k,
    );
    const format = (request.query.format ?? 'json') as LineFormat;
    if (!LINE_FORMATS.includes(format)) throw badLogFormat(LINE_FORMATS, request.query.format);
    const source =
      request.query.source && /^[a-z0-9_-]{1,32}$/i.test(request.query.source)
        ? request.query.source
        : undefined;
    const text = request.body.toString('utf8');
    // One line nested too deep refuses the whole body: such a line is an attack, not a log record.
    if (format === 'json') checkJsonDepth(text, !text.trimStart().startsWith('['));
    const { records, bad } = splitLogBody(text, format, source);
    const rejected = bad.slice(0, REPORTED).map((b) => ({ line: b.line, reason: b.reason }));
    if (records.length === 0) throw invalidLogs(rejected);
    await ingest(deps, request, {
      protocol: 'logs',
      project,
      count: records.length,
      body: request.body,
      call: logCall(format, source),
      topic: LOGS_TOPIC,
    });
    return reply.code(202).send({ accepted: records.length, rejected });
  });
}
