/**
 * Snowplow's tracker protocol: one event is a flat map of short fields (`e`, `aid`, `url`, `eid`, `dtm`, `ue_px` …).
 * GET /i carries one in the query string; POST tp2 carries `{schema, data: [events]}`. Checked here: the event
 * type, the app id (it names the project) and that embedded JSON (`ue_pr`/`ue_px`, `co`/`cx`) decodes.
 */
import { compileValidator } from '../event-validator.ts';
import { JsonTooDeep, parseJsonWithinDepth } from '../json-depth.ts';

export const EVENT_TYPES = ['pv', 'pp', 'se', 'ue', 'tr', 'ti', 'ad', 'ev', 's'] as const;

/** `ue_px`/`cx` are base64url (or plain base64) JSON; `ue_pr`/`co` plain JSON. */
export function embeddedJson(event: Record<string, unknown>, plain: string, encoded: string): unknown {
  if (event[plain] !== undefined && event[plain] !== '')
    return parseJsonWithinDepth(String(event[plain]), plain);
  const value = event[encoded];
  if (value === undefined || value === '') return undefined;
  // Buffer skips characters outside the alphabet, so garbage decodes to little or nothing: JSON.parse then refuses it.
  return parseJsonWithinDepth(Buffer.from(String(value), 'base64url').toString('utf8'), encoded);
}

const text = (max: number) => ({ type: 'string', maxLength: max });

export const snowplowEventValidator = compileValidator(
  {
    type: 'object',
    required: ['e', 'aid'],
    properties: {
      e: { enum: [...EVENT_TYPES] },
      aid: { type: 'string', minLength: 1, maxLength: 255 },
      eid: text(64),
      url: text(8192),
      refr: text(8192),
      page: text(2000),
      uid: text(256),
      duid: text(256),
      sid: text(256),
      dtm: text(20),
      stm: text(20),
      ttm: text(20),
    },
    additionalProperties: true,
  },
  (e) => {
    const problems: Array<{ field: string; message: string }> = [];
    for (const [plain, encoded] of [
      ['ue_pr', 'ue_px'],
      ['co', 'cx'],
    ]) {
      try {
        embeddedJson(e, plain, encoded);
      } catch (err) {
        if (err instanceof JsonTooDeep) throw err;
        problems.push({
          field: e[plain] !== undefined ? plain : encoded,
          message: 'is not valid (base64) JSON',
        });
      }
    }
    if (e.e === 'ue' && e.ue_pr === undefined && e.ue_px === undefined)
      problems.push({ field: 'ue_px', message: 'a self-describing event needs ue_pr or ue_px' });
    return problems;
  },
);
