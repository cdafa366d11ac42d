import fs from 'node:fs';

/** Writes (or appends) `data` to `file` (mode 0600) and fsyncs it before returning: on disk once this returns. */
export function durableWrite(file: string, data: Buffer | string, append = false): void {
  const fd = fs.openSync(file, append ? 'a' : 'w', 0o600);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
