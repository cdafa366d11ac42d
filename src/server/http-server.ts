/**
 * The Fastify instance every role shares: client IP behind trusted proxies, security headers, and one error
 * shape for every stage — `{ "error": { "code", "message", "details" } }`, never a stack trace.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { CodedError, errorCatalogue } from '../contract/coded-error.ts';
import type { Logger } from '../observe/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { ServerConfig } from './server.settings.ts';

/** Anything that answers with a code and a status: every stage's CodedError, and coded errors of libraries. */
interface CodedAnswer {
  code: string;
  statusCode: number;
  message: string;
  details?: unknown;
  headers?: Record<string, string> | undefined;
}

function isCoded(err: unknown): err is CodedAnswer {
  const e = err as Partial<CodedAnswer>;
  return typeof e?.code === 'string' && typeof e.statusCode === 'number' && !e.code.startsWith('FST_');
}

/** The server's own answers: Fastify's errors renamed into our codes, so clients see one vocabulary. */
class HttpError extends CodedError {}

const httpErrors = errorCatalogue(HttpError, {
  bodyTooLarge: {
    code: 'COLLECT_ERR_BODY_TOO_LARGE',
    status: 413,
    text: (limit: number) => ({ message: `the body is larger than ${limit} bytes`, details: { limit } }),
  },
  badContentLength: {
    code: 'HTTP_ERR_BAD_CONTENT_LENGTH',
    status: 400,
    text: () => 'Content-Length does not match the body',
  },
  badRequest: {
    code: 'HTTP_ERR_BAD_REQUEST',
    status: 400,
    text: (message: string, details?: unknown) => ({ message, details }),
  },
  notFound: {
    code: 'HTTP_ERR_NOT_FOUND',
    status: 404,
    text: (method: string, url: string) => `no route for ${method} ${url.split('?')[0]}`,
  },
  internal: { code: 'INTERNAL_ERROR', status: 500, text: () => 'internal error; see the server log' },
});

function fromFastify(err: FastifyError, bodyLimit: number): CodedAnswer {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return httpErrors.bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return httpErrors.badContentLength();
    case 'FST_ERR_VALIDATION':
      return httpErrors.badRequest(
        err.message,
        err.validation?.map((v) => ({ field: v.instancePath || v.params, message: v.message })),
      );
    default:
      // Fastify's other client errors keep their status (415, 406, …); the code is the same for all of them.
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
        return { code: 'HTTP_ERR_BAD_REQUEST', statusCode: err.statusCode, message: err.message };
      return httpErrors.internal();
  }
}

export function createHttpServer(config: ServerConfig, logger: Logger, metrics: Metrics): FastifyInstance {
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
    const err = httpErrors.notFound(request.method, request.url);
    reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
  });

  return app as unknown as FastifyInstance;
}
