/**
 * One record on disk: `[u32 LE payload length][u32 LE CRC32C of the payload][payload]`. The CRC finds torn writes
 * and bit rot; the length bounds how far a reader trusts the file.
 */
import { crc32c } from '@node-rs/crc32';

export const FRAME_HEADER = 8;
/** A length above this is garbage, not a record (the collector's body limit is far below). */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024;

export function encodeFrames(records: readonly Buffer[]): Buffer {
  let total = 0;
  for (const r of records) total += FRAME_HEADER + r.length;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const r of records) {
    out.writeUInt32LE(r.length, pos);
    out.writeUInt32LE(crc32c(r), pos + 4);
    r.copy(out, pos + FRAME_HEADER);
    pos += FRAME_HEADER + r.length;
  }
  return out;
}

export interface ScannedFrame {
  /** Byte position of the frame in the scanned buffer. */
  pos: number;
  payload: Buffer;
}

export interface ScanResult {
  frames: ScannedFrame[];
  /** End of the last whole, valid frame: everything before it is good. */
  validEnd: number;
  /**
   * Why scanning stopped before the end of the buffer: `partial` (the buffer ends inside a frame — a torn write at
   * the end of a file, or simply the end of a read chunk), `corrupt` (CRC mismatch or impossible length).
   */
  stop?: 'partial' | 'corrupt';
}

/** Walks frames from `start`; stops at the end, at a partial frame, or at the first corrupt one. */
export function scanFrames(
  buf: Buffer,
  start = 0,
  maxFrames = Number.POSITIVE_INFINITY,
  maxBytes = Number.POSITIVE_INFINITY,
): ScanResult {
  const frames: ScannedFrame[] = [];
  let pos = start;
  let bytes = 0;
  while (pos < buf.length && frames.length < maxFrames) {
    if (buf.length - pos < FRAME_HEADER) return { frames, validEnd: pos, stop: 'partial' };
    const length = buf.readUInt32LE(pos);
    if (length > MAX_RECORD_BYTES) return { frames, validEnd: pos, stop: 'corrupt' };
    const end = pos + FRAME_HEADER + length;
    if (end > buf.length) return { frames, validEnd: pos, stop: 'partial' };
    if (frames.length > 0 && bytes + length > maxBytes) break;
    const payload = buf.subarray(pos + FRAME_HEADER, end);
    if (crc32c(payload) !== buf.readUInt32LE(pos + 4)) return { frames, validEnd: pos, stop: 'corrupt' };
    frames.push({ pos, payload });
    bytes += length;
    pos = end;
  }
  return { frames, validEnd: pos };
}
