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
