/**
 * chDB reads the host process's standard input as external data for an INSERT (chdb-io/chdb-core#239): whatever
 * stdin holds makes every insert fail ("Processing async inserts with both inlined and external data … is not
 * supported"), and on an open stdin that delivers nothing (a terminal, a pipe, a test runner's socket) an insert was
 * seen blocked in `read(0)` for good — the processor's batch, and every batch after it, stalled. Nothing in
 * Sightline reads its stdin, so before chDB is opened descriptor 0 is pointed at /dev/null (reads end at once).
 */
import fs from 'node:fs';

function isDevNull(fd: number): boolean {
  try {
    const [a, b] = [fs.fstatSync(fd), fs.statSync('/dev/null')];
    return a.rdev === b.rdev && a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

/**
 * Points descriptor 0 at /dev/null (POSIX `open` takes the lowest free descriptor). Idempotent; called by the embedded
 * store each time before it opens chDB (the first time does it).
 */
export function detachStdin(): void {
  if (process.platform === 'win32' || isDevNull(0)) return;
  try {
    fs.closeSync(0);
  } catch {
    // Closed already: the open below takes it.
  }
  const fd = fs.openSync('/dev/null', 'r');
  // Another thread opened a descriptor in between and took 0: keep it (it is that thread's), drop ours.
  if (fd !== 0) fs.closeSync(fd);
}
