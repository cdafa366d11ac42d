import { malformedJson } from './errors.ts';

/** Parses a request body, turning a syntax error into a 400 that says where it went wrong. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
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
