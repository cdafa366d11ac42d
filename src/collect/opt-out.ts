/**
 * Browser opt-out signals: `DNT: 1` (Do Not Track) and `Sec-GPC: 1` (Global Privacy Control, a legally binding
 * "do not sell or share" under CCPA/CPRA in California). With SIGHTLINE_HONOR_GPC the collector drops the events of a
 * request that carries either, from the protocols browsers send (the tracker's native calls, Plausible, Umami,
 * Snowplow). It still answers as if it had accepted them: a tracker must not retry, and the answer should not tell
 * a page which visitors opted out. Server-side protocols (Segment, telemetry) carry no browser's headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Protocol } from '../contract/envelope.ts';

export const BROWSER_PROTOCOLS: ReadonlySet<Protocol> = new Set<Protocol>([
  'native',
  'plausible',
  'umami',
  'snowplow',
]);

/** Exactly `1`, as both specifications define it (`DNT: 0` is an explicit consent). */
export function optedOut(headers: IncomingHttpHeaders): boolean {
  const is1 = (value: string | string[] | undefined) => String(value ?? '').trim() === '1';
  return is1(headers.dnt) || is1(headers['sec-gpc']);
}
