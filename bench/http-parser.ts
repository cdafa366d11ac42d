/**
 * A minimal HTTP/1.1 response parser for the load generator: status, `Content-Length` or chunked bodies,
 * `Connection: close`. Enough for JSON APIs; far cheaper than a full client, so the generator saturates the
 * server instead of itself.
 */

export interface ParsedResponse {
  status: number;
  body: Buffer;
  /** The server announced it closes the connection after this response. */
  close: boolean;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 64 * 1024;

export class ProtocolError extends Error {}

export class ResponseParser {
  #pending: Buffer = Buffer.alloc(0);
  #status = 0;
  #close = false;
  /** -1: reading the head; >= 0: bytes of a Content-Length body still due; -2: chunked. */
  #bodyLength = -1;
  #chunks: Buffer[] = [];

  reset(): void {
    this.#pending = Buffer.alloc(0);
    this.#bodyLength = -1;
    this.#chunks = [];
  }

  /** Feeds bytes; returns the responses they completed (usually zero or one). */
  push(chunk: Buffer): ParsedResponse[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const done: ParsedResponse[] = [];
    for (;;) {
      const response = this.#bodyLength === -1 ? this.#readHead() : this.#readBody();
      if (response === 'more') return done;
      if (response) done.push(response);
    }
  }

  /** Returns 'more' when bytes are missing, undefined after a head was consumed, or a bodiless response. */
  #readHead(): ParsedResponse | 'more' | undefined {
    const end = this.#pending.indexOf(HEADER_END);
    if (end === -1) {
      if (this.#pending.length > MAX_HEADER_BYTES) throw new ProtocolError('response head too large');
      return 'more';
    }
    const lines = this.#pending.toString('latin1', 0, end).split('\r\n');
    this.#pending = this.#pending.subarray(end + 4);
    const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!statusLine) throw new ProtocolError(`bad status line "${lines[0]}"`);
    this.#status = Number(statusLine[1]);
    this.#close = lines[0]?.startsWith('HTTP/1.0') ?? false;
    let length = 0;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.includes('chunked');
      else if (name === 'connection') this.#close = value.includes('close');
    }
    if (chunked) {
      this.#bodyLength = -2;
      this.#chunks = [];
      return undefined;
    }
    if (!Number.isInteger(length) || length < 0) throw new ProtocolError('bad content-length');
    if (length === 0 || this.#status === 204 || this.#status === 304) {
      return { status: this.#status, body: Buffer.alloc(0), close: this.#close };
    }
    this.#bodyLength = length;
    return undefined;
  }

  #readBody(): ParsedResponse | 'more' {
    if (this.#bodyLength === -2) return this.#readChunked();
    if (this.#pending.length < this.#bodyLength) return 'more';
    const body = this.#pending.subarray(0, this.#bodyLength);
    this.#pending = this.#pending.subarray(this.#bodyLength);
    this.#bodyLength = -1;
    return { status: this.#status, body, close: this.#close };
  }

  #readChunked(): ParsedResponse | 'more' {
    for (;;) {
      const lineEnd = this.#pending.indexOf(CRLF);
      if (lineEnd === -1) return 'more';
      const size = Number.parseInt(this.#pending.toString('latin1', 0, lineEnd), 16);
      if (Number.isNaN(size)) throw new ProtocolError('bad chunk size');
      if (size === 0) {
        // Last chunk: optional trailers, then an empty line.
        const trailerEnd = this.#pending.indexOf(CRLF, lineEnd + 2);
        if (trailerEnd === -1) return 'more';
        if (trailerEnd !== lineEnd + 2) {
          const end = this.#pending.indexOf(HEADER_END, lineEnd);
          if (end === -1) return 'more';
          this.#pending = this.#pending.subarray(end + 4);
        } else {
          this.#pending = this.#pending.subarray(trailerEnd + 2);
        }
        this.#bodyLength = -1;
        const body = Buffer.concat(this.#chunks);
        this.#chunks = [];
        return { status: this.#status, body, close: this.#close };
      }
      const dataStart = lineEnd + 2;
      if (this.#pending.length < dataStart + size + 2) return 'more';
      this.#chunks.push(this.#pending.subarray(dataStart, dataStart + size));
      this.#pending = this.#pending.subarray(dataStart + size + 2);
    }
  }
}
