/**
 * Plausible's Events API body (`POST /api/event`), long or short keys as its script sends them: name/n, url/u,
 * domain/d, referrer/r, props/p (object or JSON string), revenue/$ ({currency, amount}), interactive/i.
 */
import { compileValidator } from '../event-validator.ts';
import { JsonTooDeep, parseJsonWithinDepth } from '../json-depth.ts';

const LONG: Record<string, string> = {
  n: 'name',
  u: 'url',
  d: 'domain',
  r: 'referrer',
  p: 'props',
  $: 'revenue',
  i: 'interactive',
};

/**
 * The body with long keys, props and revenue parsed when sent as JSON strings. Keys such as `__proto__` or
 * `constructor` stay plain data (a null-prototype object, own-key lookups only).
 */
export function normalisePlausible(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { __notObject: true };
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(body)) out[Object.hasOwn(LONG, k) ? LONG[k] : k] = v;
  for (const key of ['props', 'revenue']) {
    if (typeof out[key] === 'string') {
      try {
        out[key] = parseJsonWithinDepth(out[key] as string, key);
      } catch (err) {
        if (err instanceof JsonTooDeep) throw err;
        // otherwise left as a string: the schema reports it
      }
    }
  }
  return out;
}

export const plausibleEventValidator = compileValidator(
  {
    type: 'object',
    required: ['name', 'url', 'domain'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 120 },
      url: { type: 'string', minLength: 1, maxLength: 2000 },
      domain: { type: 'string', minLength: 1, maxLength: 255 },
      referrer: { type: ['string', 'null'], maxLength: 2000 },
      props: { type: ['object', 'null'] },
      revenue: {
        type: ['object', 'null'],
        required: ['currency', 'amount'],
        properties: {
          currency: { type: 'string', minLength: 3, maxLength: 3 },
          amount: { type: ['number', 'string'] },
        },
      },
      interactive: { type: 'boolean' },
    },
    additionalProperties: true,
  },
  (e) => {
    try {
      const url = new URL(String(e.url));
      if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'app:')
        throw new Error('scheme');
      return [];
    } catch {
      return [{ field: 'url', message: 'must be an absolute URL (https://…)' }];
    }
  },
);
