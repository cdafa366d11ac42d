/**
 * Login attempts per client and window, in bounded memory. Each client's window starts at its first attempt. When
 * the table is full, what goes first is what carries no lockout: windows that have ended, then the oldest client
 * still under the limit. A client over the limit is never dropped to make room, so an attacker who rotates
 * through fresh addresses cannot wipe the lockout of the address they attack from; when every entry is a lockout
 * (an attack from more addresses than the table holds, within one window), newcomers are refused until a window
 * ends.
 */
import { clientKey } from '../config/cidr.ts';

interface Window {
  start: number;
  count: number;
}

export class LoginLimiter {
  readonly #limit: number;
  readonly #capacity: number;
  readonly #windowMs: number;
  /** Insertion order is window-start order: a new window is re-inserted at the end. */
  readonly #windows = new Map<string, Window>();

  constructor(options: { limit: number; capacity?: number; windowMs?: number }) {
    this.#limit = options.limit;
    this.#capacity = Math.max(1, options.capacity ?? 10_000);
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /** Counts one attempt from `ip`; false when it is over the limit (or no room is left for a new client). */
  attempt(ip: string, now = Date.now()): boolean {
    const key = clientKey(ip);
    const seen = this.#windows.get(key);
    if (seen && now - seen.start < this.#windowMs) {
      seen.count++;
      return seen.count <= this.#limit;
    }
    this.#windows.delete(key);
    if (this.#windows.size >= this.#capacity && !this.#makeRoom(now)) return false;
    this.#windows.set(key, { start: now, count: 1 });
    return 1 <= this.#limit;
  }

  get size(): number {
    return this.#windows.size;
  }

  #makeRoom(now: number): boolean {
    for (const [key, w] of this.#windows) {
      if (now - w.start < this.#windowMs) break;
      this.#windows.delete(key);
    }
    if (this.#windows.size < this.#capacity) return true;
    for (const [key, w] of this.#windows)
      if (w.count <= this.#limit) {
        this.#windows.delete(key);
        return true;
      }
    return false;
  }
}
