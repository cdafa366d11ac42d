import { isUtf8 } from 'node:buffer';
import { assertJsonDepth, JsonTooDeep, MAX_JSON_DEPTH } from '../contract/json-depth.ts';
import { malformedJson, notUtf8, tooDeep } from './errors.ts';

/** A `JsonTooDeep` as the collector's 400; any other error unchanged. */
export function asCollectError(err: unknown, index?: number): unknown {
  if (!(err instanceof JsonTooDeep)) return err;
  return tooDeep(MAX_JSON_DEPTH, err.position, {
    ...(err.field !== undefined ? { field: err.field } : {}),
    ...(index !== undefined ? { index } : {}),
  });
}

/** The text of a JSON body; refused when it is not UTF-8 (JSON is UTF-8, decoding would replace the bad bytes). */
export function utf8Text(body: Buffer): string {
  if (!isUtf8(body)) throw notUtf8();
  return body.toString('utf8');
}

/** Refuses JSON text nested deeper than the limit; `lines`: JSON lines, measured line by line. */
export function checkJsonDepth(text: string, lines = false): void {
  try {
    assertJsonDepth(text, undefined, lines);
  } catch (err) {
    throw asCollectError(err);
  }
}

/** Parses a request body, turning a syntax error into a 400 that says where it went wrong. */
export function parseJsonBody(body: Buffer): unknown {
  const text = utf8Text(body);
  checkJsonDepth(text);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    throw malformedJson(
      text.trim() === '' ? 'the body is empty' : message,
      position ? Number(position) : undefined,
    );
  }
}
