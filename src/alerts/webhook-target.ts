/**
 * Where an alert webhook may point. Whoever can save a rule chooses the URL, so without this policy the server
 * would POST (and report on) its own loopback, the cloud metadata address or any host of the private network.
 * Refused unless SIGHTLINE_WEBHOOK_ALLOW lists them: loopback, private, link-local, unspecified, multicast and
 * reserved addresses, also when written as IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 addresses.
 */

import type { LookupAddress } from 'node:dns';
import dns from 'node:dns';
import { isIP } from 'node:net';
import { type CidrList, ipv6Bytes, parseCidrList } from '../config/cidr.ts';

export interface WebhookAllowList {
  /** The list as written, for messages. */
  source: string[];
  allowsHost(hostname: string): boolean;
  allowsAddress(ip: string): boolean;
}

const HOSTNAME = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** `10.0.0.0/8,127.0.0.1,hooks.internal,*.corp.example` → which private targets the operator allows. */
export function parseWebhookAllow(raw: string): WebhookAllowList {
  const source: string[] = [];
  const addresses: string[] = [];
  const hosts: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim().toLowerCase())) {
    if (item === '') continue;
    source.push(item);
    if (item.includes('/') || isIP(item) !== 0) addresses.push(item);
    else if (HOSTNAME.test(item)) hosts.push(item);
    else throw new Error(`"${item}" is not a host name, an IP address or a CIDR (e.g. 10.0.0.0/8)`);
  }
  const cidrs: CidrList = parseCidrList(addresses.join(','));
  return {
    source,
    allowsHost(hostname: string): boolean {
      const h = hostname.toLowerCase().replace(/\.$/, '');
      return hosts.some((a) => (a.startsWith('*.') ? h.endsWith(a.slice(1)) : h === a));
    },
    allowsAddress(ip: string): boolean {
      if (cidrs.contains(ip)) return true;
      const v4 = isIP(ip) === 6 ? embeddedV4(ipv6Bytes(ip)) : undefined;
      return v4 !== undefined && cidrs.contains(v4);
    },
  };
}

export const NO_ALLOW: WebhookAllowList = parseWebhookAllow('');

function v4Reason(ip: string): string | undefined {
  const [a, b] = ip.split('.').map(Number);
  if (a === 0) return 'an unspecified address';
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  // Shared address space (carrier-grade NAT): as internal as the private ranges.
  if (a === 100 && b >= 64 && b <= 127) return 'a private address';
  if (a === 169 && b === 254) return 'a link-local address';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (a >= 240) return 'a reserved address';
  return undefined;
}

/** The IPv4 address carried inside an IPv4-mapped/-compatible, NAT64 or 6to4 IPv6 address. */
function embeddedV4(b: number[]): string | undefined {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join('.');
  if (zero(0, 12) && !zero(12, 16)) return b.slice(12).join('.');
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12))
    return b.slice(12).join('.');
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6).join('.');
  return undefined;
}

/** Why an address must not be a webhook target, or undefined when it is a public unicast address. */
export function blockedReason(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 4) return v4Reason(ip);
  if (family !== 6) return 'not an IP address';
  const b = ipv6Bytes(ip);
  if (b.every((x) => x === 0)) return 'an unspecified address';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'a loopback address';
  const v4 = embeddedV4(b);
  if (v4 !== undefined) return v4Reason(v4);
  if ((b[0] & 0xfe) === 0xfc) return 'a private address';
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return 'a link-local address';
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return 'a private address';
  if (b[0] === 0xff) return 'a multicast address';
  return undefined;
}

/** The URL's host without IPv6 brackets, as the WHATWG parser normalised it (`0x7f.1` → `127.0.0.1`). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Why `ip` (reached as `hostname`) is refused, or undefined when the policy lets it through. */
export function refusal(hostname: string, ip: string, allow: WebhookAllowList): string | undefined {
  if (allow.allowsHost(hostname) || allow.allowsAddress(ip)) return undefined;
  const reason = blockedReason(ip);
  if (reason === undefined) return undefined;
  const via = hostname === ip ? ip : `${hostname} resolves to ${ip}`;
  return `${via}, ${reason}; webhooks may only reach such targets when SIGHTLINE_WEBHOOK_ALLOW lists them`;
}

/** What can be told without asking DNS: a literal address, `localhost`, credentials in the URL. */
export function literalUrlProblem(raw: string, allow: WebhookAllowList): string | undefined {
  const url = new URL(raw);
  const host = hostOf(url);
  if (url.username || url.password) return 'credentials in a webhook URL are not accepted';
  if (allow.allowsHost(host)) return undefined;
  if (isIP(host) !== 0) return refusal(host, host, allow);
  if (host === 'localhost' || host.endsWith('.localhost'))
    return `${host}, a loopback name; webhooks may only reach such targets when SIGHTLINE_WEBHOOK_ALLOW lists them`;
  return undefined;
}

export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

const resolveAll: ResolveAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * The save-time check: the URL's host literal, or every address its name resolves to now. A name that does not
 * resolve is let through (it may be created later); the check at send time covers it then.
 */
export async function webhookUrlProblem(
  raw: string,
  allow: WebhookAllowList,
  resolve: ResolveAll = resolveAll,
): Promise<string | undefined> {
  const literal = literalUrlProblem(raw, allow);
  const host = hostOf(new URL(raw));
  if (literal || isIP(host) !== 0 || allow.allowsHost(host)) return literal;
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    return undefined;
  }
  for (const a of addresses) {
    const why = refusal(host, a.address, allow);
    if (why) return why;
  }
  return undefined;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request: resolves the name, refuses the connection when any address is refused, and
 * hands the socket exactly the addresses it checked, so a DNS answer that changes between check and connect
 * (rebinding) cannot swap in another one.
 */
export function guardedLookup(allow: WebhookAllowList, resolve: ResolveAll = resolveAll) {
  return (hostname: string, options: { all?: boolean } | number, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        for (const a of addresses) {
          const why = refusal(hostname, a.address, allow);
          if (why) {
            callback(Object.assign(new Error(why), { code: 'ERR_WEBHOOK_TARGET_REFUSED' }), '');
            return;
          }
        }
        if (addresses.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
          return;
        }
        if (typeof options === 'object' && options.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
