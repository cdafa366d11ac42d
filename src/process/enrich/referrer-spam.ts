/** Referrer spam domains (`data/referrer-spam.txt`, Matomo's public-domain list; provenance in its header). */
import fs from 'node:fs';
import path from 'node:path';

const FILE = path.join(import.meta.dirname, '../data/referrer-spam.txt');

const domains = new Set(
  fs
    .readFileSync(FILE, 'utf8')
    .split('\n')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l !== '' && !l.startsWith('#')),
);

/** True when the host or one of its parent domains is listed. */
export function isSpamHost(host: string): boolean {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length - 1; i++) if (domains.has(labels.slice(i).join('.'))) return true;
  return false;
}

export const spamListSize = domains.size;
