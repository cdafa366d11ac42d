import UAParser from 'ua-parser-js';
import { LruCache } from '../lru-cache.ts';
import type { Step } from './step.ts';

interface ParsedAgent {
  browser: string;
  browser_version: string;
  os: string;
  os_version: string;
  device_type: string;
}

const cache = new LruCache<string, ParsedAgent>(20_000);

function majorVersion(version: string | undefined): string {
  return version ? version.split('.')[0] : '';
}

/** ua-parser-js 1.x (MIT; 2.x is AGPL) leaves desktops without a device type: they are `desktop` here. */
export function parseAgent(ua: string): ParsedAgent {
  const hit = cache.get(ua);
  if (hit) return hit;
  const r = new UAParser(ua).getResult();
  const parsed: ParsedAgent = {
    browser: r.browser.name ?? '',
    browser_version: majorVersion(r.browser.version),
    os: r.os.name ?? '',
    os_version: r.os.version ?? '',
    device_type: ua === '' ? '' : (r.device.type ?? 'desktop'),
  };
  cache.set(ua, parsed);
  return parsed;
}

export const putUserAgent: Step = {
  name: 'put-user-agent',
  run(row, envelope) {
    Object.assign(row, parseAgent(envelope.ua));
  },
};
