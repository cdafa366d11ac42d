/**
 * The Fastify instance every role shares: client IP behind trusted proxies, security headers, and one error
 * shape for every stage — `{ "error": { "code", "message", "details" } }`, never a stack trace.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Logger } from '../observe/logger.ts';
import type { Metrics } from '../observe/metrics.ts';

interface CodedError {
  code: string;
  statusCode: number;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

function isCoded(err: unknown): err is CodedError {
  const e = err as Partial<CodedError>;
  return typeof e?.code === 'string' && typeof e.statusCode === 'number' && !e.code.startsWith('FST_');
}

/** Fastify's own errors, renamed into our codes so clients see one vocabulary. */
function fromFastify(err: FastifyError, bodyLimit: number): CodedError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        code: 'COLLECT_ERR_BODY_TOO_LARGE',
        statusCode: 413,
        message: `the body is larger than ${bodyLimit} bytes`,
        details: { limit: bodyLimit },
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        code: 'HTTP_ERR_BAD_CONTENT_LENGTH',
        statusCode: 400,
        message: 'Content-Length does not match the body',
      };
    case 'FST_ERR_VALIDATION':
      return {
        code: 'HTTP_ERR_BAD_REQUEST',
        statusCode: 400,
        message: err.message,
        details: err.validation?.map((v) => ({ field: v.instancePath || v.params, message: v.message })),
      };
    default:
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
        return { code: 'HTTP_ERR_BAD_REQUEST', statusCode: err.statusCode, message: err.message };
      return { code: 'INTERNAL_ERROR', statusCode: 500, message: 'internal error; see the server log' };
  }
}

export function createHttpServer(config: Config, logger: Logger, metrics: Metrics): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // Per-request lines would dominate the log at ingestion rates; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy:
      config.trustProxy.source.length > 0 ? (address: string) => config.trustProxy.contains(address) : false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  // Dashboard sessions ride in a cookie; everything else ignores it.
  app.register(fastifyCookie);

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
  });

  app.setErrorHandler((err, request, reply) => {
    const coded = isCoded(err) ? err : fromFastify(err as FastifyError, config.bodyLimitBytes);
    if (coded.statusCode >= 500 && coded.code === 'INTERNAL_ERROR')
      request.log.error({ err }, 'unhandled error');
    if (request.method === 'POST') metrics.rejectedRequests.inc({ code: coded.code });
    if (coded.headers) reply.headers(coded.headers);
    reply.code(coded.statusCode).send({
      error: {
        code: coded.code,
        message: coded.message,
        ...(coded.details !== undefined ? { details: coded.details } : {}),
      },
    });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: {
        code: 'HTTP_ERR_NOT_FOUND',
        message: `no route for ${request.method} ${request.url.split('?')[0]}`,
      },
    });
  });

  return app as unknown as FastifyInstance;
}
