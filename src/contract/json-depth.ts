/**
 * The nesting limit of every JSON body and embedded JSON text Sightline accepts. Deeply nested JSON parses fine but
 * overflows the stack of every recursive walk after it (`JSON.stringify`, `structuredClone`, attribute flattening),
 * so it is measured on the text, before parsing, by a loop that cannot overflow itself.
 */

/** Objects and arrays nested deeper than this are refused (the outermost object or array is level 1). */
export const MAX_JSON_DEPTH = 32;

export class JsonTooDeep extends Error {
  /** Character position of the opening bracket that went past the limit. */
  readonly position: number;
  /** The field that held the embedded JSON, when it was not the body itself. */
  readonly field: string | undefined;
  constructor(position: number, field?: string) {
    super(
      `JSON nests deeper than ${MAX_JSON_DEPTH} levels${field ? ` in ${field}` : ''} (at position ${position})`,
    );
    this.position = position;
    this.field = field;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * Where the text first nests deeper than `limit` (the position of that bracket), or -1. Brackets inside strings do
 * not count. With `lines`, every line is measured on its own, as JSON-lines splitters parse them.
 */
export function tooDeepAt(text: string, limit = MAX_JSON_DEPTH, lines = false): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE && lines) {
      // A raw line feed cannot be inside valid JSON text, so a JSON-lines splitter cuts here whatever came before.
      depth = 0;
      inString = false;
    } else if (inString) {
      if (c === BACKSLASH && text.charCodeAt(i + 1) !== NEWLINE) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) return i;
    } else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && depth > 0) depth--;
  }
  return -1;
}

/** Throws `JsonTooDeep` when the text nests deeper than the limit. */
export function assertJsonDepth(text: string, field?: string, lines = false): void {
  const at = tooDeepAt(text, MAX_JSON_DEPTH, lines);
  if (at >= 0) throw new JsonTooDeep(at, field);
}

/** `JSON.parse` for untrusted text: `JsonTooDeep` before any parsing when it nests too deep. */
export function parseJsonWithinDepth(text: string, field?: string): unknown {
  assertJsonDepth(text, field);
  return JSON.parse(text);
}
