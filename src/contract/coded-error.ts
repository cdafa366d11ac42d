/**
 * An error an HTTP route answers with: a stable `code`, an HTTP status, and details a caller can act on. Each
 * stage names its own subclass (QueryError, AlertError, …) so its handler recognises its own errors, and builds
 * them from its catalogue (below), so every code a stage can answer is listed in one place. The server's error
 * handler (src/server/http-server.ts) serialises any of them as `{ "error": { "code", "message", "details" } }`.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: unknown;
  /** Response headers that belong to the answer (`retry-after`). */
  readonly headers: Record<string, string> | undefined;
  constructor(
    code: string,
    statusCode: number,
    message: string,
    details?: unknown,
    options?: CodedErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
    this.headers = options?.headers;
  }
}

export interface CodedErrorOptions {
  headers?: Record<string, string>;
  cause?: unknown;
}

/** What one error says, from the arguments its factory is called with. */
export type ErrorText =
  | string
  | { message: string; details?: unknown; headers?: Record<string, string>; cause?: unknown };

/** One entry of a stage's catalogue: the code, the HTTP status, and the message template. */
export interface ErrorSpec<A extends unknown[]> {
  code: string;
  status: number;
  text: (...args: A) => ErrorText;
}

type CodedErrorClass<E extends CodedError> = new (
  code: string,
  statusCode: number,
  message: string,
  details?: unknown,
  options?: CodedErrorOptions,
) => E;

// biome-ignore lint/suspicious/noExplicitAny: each entry keeps its own argument types; `any` only bounds them.
type Specs = Record<string, ErrorSpec<any[]>>;

/** The factories of a catalogue, one per entry, taking that entry's template arguments. */
export type Factories<E extends CodedError, S extends Specs> = {
  [K in keyof S]: (...args: Parameters<S[K]['text']>) => E;
};

/**
 * A stage's error catalogue, in the style of Fastify's `createError(code, message, statusCode)`: each entry names
 * its code, status and message template once; the result builds the stage's errors from them.
 */
export function errorCatalogue<E extends CodedError, S extends Specs>(
  Stage: CodedErrorClass<E>,
  specs: S,
): Factories<E, S> {
  const factories: Record<string, (...args: unknown[]) => E> = {};
  for (const [name, spec] of Object.entries(specs)) {
    factories[name] = (...args) => {
      const text = spec.text(...args);
      if (typeof text === 'string') return new Stage(spec.code, spec.status, text);
      return new Stage(spec.code, spec.status, text.message, text.details, text);
    };
  }
  return factories as Factories<E, S>;
}
