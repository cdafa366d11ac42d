/**
 * Daily salts for cookieless visitor ids, as privacy-first analytics keep them: a random salt per UTC day, kept in
 * `<data dir>/salts/`, and destroyed once its day has been over for 24 h — after that nobody, the operator
 * included, can link a visitor's hash to the IP and user agent it came from, or link two days of one visitor.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const DAY_MS = 86_400_000;
const FILE = /^(\d{4}-\d{2}-\d{2})\.salt$/;

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export class DailySalts {
  readonly #dir: string;
  readonly #cache = new Map<string, Buffer>();
  /** The same salts by day number (ms / day): the lookup every cookieless event makes, without a date string. */
  readonly #byNumber = new Map<number, Buffer>();

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'salts');
    fs.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  /** The salt of the UTC day of `ms`; created on first use (written atomically, so two writers agree). */
  saltFor(ms: number, now = Date.now()): Buffer {
    const number = Math.floor(ms / DAY_MS);
    const known = this.#byNumber.get(number);
    if (known) return known;
    const day = dayOf(ms);
    const cached = this.#cache.get(day);
    if (cached) {
      this.#byNumber.set(number, cached);
      return cached;
    }
    this.destroyExpired(now);
    const file = path.join(this.#dir, `${day}.salt`);
    let salt: Buffer;
    try {
      salt = fs.readFileSync(file);
    } catch {
      const temp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, randomBytes(32), { mode: 0o600 });
      try {
        fs.linkSync(temp, file); // fails if another process created it first; then theirs wins
      } catch {
        // keep the existing one
      }
      fs.rmSync(temp, { force: true });
      salt = fs.readFileSync(file);
    }
    this.#cache.set(day, salt);
    this.#byNumber.set(number, salt);
    return salt;
  }

  /** Deletes salts of days that ended more than 24 h ago (from disk and memory). */
  destroyExpired(now = Date.now()): string[] {
    const removed: string[] = [];
    for (const name of fs.readdirSync(this.#dir)) {
      const day = FILE.exec(name)?.[1];
      if (!day) continue;
      const dayEnd = Date.parse(`${day}T00:00:00Z`) + DAY_MS;
      if (now - dayEnd >= DAY_MS) {
        fs.rmSync(path.join(this.#dir, name), { force: true });
        this.#cache.delete(day);
        removed.push(day);
      }
    }
    for (const day of this.#cache.keys())
      if (now - (Date.parse(`${day}T00:00:00Z`) + DAY_MS) >= DAY_MS) this.#cache.delete(day);
    for (const [number, salt] of this.#byNumber)
      if (![...this.#cache.values()].includes(salt)) this.#byNumber.delete(number);
    return removed;
  }
}
