import { BlockList, isIP } from 'node:net';

export interface CidrList {
  /** The list as written, for logs and errors. */
  source: string[];
  contains(ip: string): boolean;
}

/** `10.0.0.0/8,127.0.0.1` → a matcher; a bare address means that one host. */
export function parseCidrList(raw: string): CidrList {
  const list = new BlockList();
  const source: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const [addr, bits] = item.split('/');
    const family = isIP(addr);
    if (family === 0) throw new Error(`"${item}" is not an IP address or CIDR (e.g. 10.0.0.0/8)`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new Error(`"${item}" has a bad prefix length (0-${max})`);
    list.addSubnet(addr, prefix, type);
    source.push(item);
  }
  return {
    source,
    contains(ip: string): boolean {
      const family = isIP(ip);
      if (family === 0) return false;
      if (family === 6 && ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4)
        return list.check(ip.slice(7), 'ipv4');
      return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** An IPv6 address (as `isIP` accepts it) as 16 bytes. */
export function ipv6Bytes(ip: string): number[] {
  let text = ip.replace(/%.*$/, '');
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1].split('.').map(Number));
    text = text.slice(0, -dotted[1].length);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : []);
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const want = (tail.length ? 6 : 8) - h.length - r.length;
  const words = [...h, ...Array(rest === undefined ? 0 : want).fill('0'), ...r].map((g) => parseInt(g, 16));
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  return [...bytes, ...tail].slice(0, 16);
}

/**
 * The client an address stands for when counting attempts: an IPv4 address, or the /64 network of an IPv6 one
 * (one host usually holds a whole /64, so counting single IPv6 addresses would let it rotate without limit).
 */
export function clientKey(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const b = ipv6Bytes(ip);
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join('.');
  const groups = [0, 2, 4, 6].map((i) => ((b[i] << 8) | b[i + 1]).toString(16));
  return `${groups.join(':')}::/64`;
}
