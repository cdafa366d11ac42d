/**
 * User agent → browser (+ major version), OS (+ version), device type, vendor and model, with ua-parser-js 1.x
 * (MIT; 2.x is AGPL). User-Agent Client Hints, when the browser sent them, are more precise than the frozen
 * Chrome user agent string and win: platform version (Windows 11 vs 10), device model, mobile flag.
 */
import UAParser from 'ua-parser-js';
import { LruCache } from '../lru-cache.ts';
import type { Step } from './step.ts';

export interface ParsedAgent {
  browser: string;
  browser_version: string;
  os: string;
  os_version: string;
  /** desktop, mobile, tablet, tv, console, wearable, embedded (bots and servers are set by put-bot). */
  device_type: string;
  device_vendor: string;
  device_model: string;
}

export interface ClientHints {
  'sec-ch-ua-mobile'?: string;
  'sec-ch-ua-platform'?: string;
  'sec-ch-ua-platform-version'?: string;
  'sec-ch-ua-model'?: string;
}

const cache = new LruCache<string, ParsedAgent>(20_000);

/** ua-parser-js names → ours; ua-parser leaves desktops without a type. */
const DEVICE_TYPES: Record<string, string> = {
  mobile: 'mobile',
  tablet: 'tablet',
  smarttv: 'tv',
  console: 'console',
  wearable: 'wearable',
  embedded: 'embedded',
  xr: 'mobile',
};

function majorVersion(version: string | undefined): string {
  return version ? version.split('.')[0] : '';
}

/** Client hints quote their values: `"Windows"`, `"15.0.0"`. */
function unquote(value: string | undefined): string {
  return (value ?? '').trim().replace(/^"|"$/g, '');
}

export function parseAgent(ua: string): ParsedAgent {
  const hit = cache.get(ua);
  if (hit) return hit;
  const r = new UAParser(ua).getResult();
  const parsed: ParsedAgent = {
    browser: r.browser.name ?? '',
    browser_version: majorVersion(r.browser.version),
    os: r.os.name ?? '',
    os_version: r.os.version ?? '',
    device_type: ua === '' ? '' : (DEVICE_TYPES[r.device.type ?? ''] ?? 'desktop'),
    device_vendor: r.device.vendor ?? '',
    device_model: r.device.model ?? '',
  };
  cache.set(ua, parsed);
  return parsed;
}

/** Applies client hints on top of the parsed string (a copy: cached results are shared). */
export function withClientHints(agent: ParsedAgent, hints: ClientHints): ParsedAgent {
  const platform = unquote(hints['sec-ch-ua-platform']);
  const platformVersion = unquote(hints['sec-ch-ua-platform-version']);
  const model = unquote(hints['sec-ch-ua-model']);
  const mobile = hints['sec-ch-ua-mobile'];
  if (!platform && !platformVersion && !model && mobile === undefined) return agent;
  const out = { ...agent };
  if (platform === 'Windows' && platformVersion) {
    // Windows reports 13.0.0 and above for Windows 11, lower (>0) for 10.
    const major = Number(platformVersion.split('.')[0]);
    out.os = 'Windows';
    out.os_version = major >= 13 ? '11' : major > 0 ? '10' : out.os_version;
  } else if (platform && platformVersion) {
    out.os = platform === 'macOS' ? 'Mac OS' : platform;
    out.os_version = platformVersion;
  }
  if (model) out.device_model = model;
  if (mobile === '?1' && out.device_type === 'desktop') out.device_type = 'mobile';
  return out;
}

export const putUserAgent: Step = {
  name: 'put-user-agent',
  run(row, envelope, context) {
    // Client hints describe the sender's browser: they apply only when the agent is the sender's own.
    const hints = context.ua === envelope.ua ? (envelope.headers as ClientHints) : {};
    Object.assign(row, withClientHints(parseAgent(context.ua), hints));
  },
};
