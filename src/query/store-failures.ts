/**
 * A store failure answered once per plugin: its error handler turns a StoreError into the read API's own code
 * and hands every error on to the server's handler, which serialises it. Routes no longer catch store calls.
 */
import type { FastifyInstance } from 'fastify';
import { StoreError } from '../store/errors.ts';
import { queryTimeout, queryUnavailable } from './errors.ts';

/** The read API's answer to a store failure; anything else is returned unchanged. */
export function fromStoreError(err: unknown): unknown {
  if (!(err instanceof StoreError)) return err;
  return err.code === 'STORE_ERR_TIMEOUT' ? queryTimeout() : queryUnavailable();
}

/** Installs the mapping in this plugin's context (an encapsulated `app.register` scope). */
export function mapStoreErrors(app: FastifyInstance): void {
  app.setErrorHandler((err) => {
    // Thrown from an error handler, the error goes to the parent's handler (src/server/http-server.ts).
    throw fromStoreError(err);
  });
}
