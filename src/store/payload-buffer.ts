/**
 * What both insert payloads (JSON lines, src/store/json-lines.ts; RowBinary, src/store/row-binary.ts) are written
 * into: one buffer that grows as the rows come, and the loop that writes them in slices.
 */

/**
 * One growing buffer, written in place: joining the rows' text first, then encoding it, allocated and copied every
 * batch's payload twice more (a tenth of the processor's time went to the garbage collector, bench/processor.ts).
 */
export class PayloadBuffer {
  buffer: Buffer;
  at = 0;

  constructor(bytes: number) {
    this.buffer = Buffer.allocUnsafe(bytes);
  }

  /** Room for `bytes` more. */
  ensure(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  /** What was written (a view of the buffer: nothing is copied). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.at);
  }
}

/** Rows written between yields to the event loop, so a large batch never stalls the HTTP side. */
const SLICE = 500;

/** `write(row)` for each row, in slices that yield to the event loop between them. */
export async function writeInSlices(rows: readonly object[], write: (row: object) => void): Promise<void> {
  for (let start = 0; start < rows.length; start += SLICE) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const end = Math.min(rows.length, start + SLICE);
    for (let i = start; i < end; i++) write(rows[i]);
  }
}
