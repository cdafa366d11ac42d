/**
 * Sightline's files are for its own user only: the WAL holds raw request bodies and client IPs (even with IP
 * storage off), the store every event, the data dir the admin token. Folders are 0700 and files 0600; an umask of
 * 077 covers what other code creates (the embedded ClickHouse's parts, exports), and a data dir left readable by
 * an older version is tightened at start.
 */
import fs from 'node:fs';
import path from 'node:path';

/** New files and folders of this process get no group/other bits. */
export function restrictUmask(): void {
  process.umask(0o077);
}

/** Removes group/other bits from `dir` and everything under it (symlinks are left alone); returns how many changed. */
export function tightenTree(dir: string): number {
  let changed = 0;
  const visit = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) {
      fs.chmodSync(p, st.mode & 0o700);
      changed++;
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return changed;
}

/**
 * Creates the data dir as 0700, or tightens an existing one whose mode lets others in (with everything under it:
 * files written before this version are 0644). Returns the old mode when it had to change, for the log.
 */
export function preparePrivateDir(dir: string): { was: string; changed: number } | undefined {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return { was: mode.toString(8).padStart(4, '0'), changed: tightenTree(dir) };
}
