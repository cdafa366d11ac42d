/**
 * A bounded cache for inputs that repeat heavily (user agents, IPs, visitors), approximating LRU with two
 * generations: hits are served from the current Map, or promoted to it from the previous one; when the current one
 * holds `max` entries it becomes the previous one and a fresh Map starts. Every key touched among the last `max`
 * distinct keys stored is kept (what a strict LRU of `max` keeps), at most 2×`max` are held.
 * Map delete + re-set per hit — the textbook LRU on insertion order — made lookups the processor's top cost
 * (V8 keeps deleted slots until a rehash); this never deletes.
 */
export class LruCache<K, V> {
  readonly #max: number;
  #recent = new Map<K, V>();
  #old = new Map<K, V>();

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  get(key: K): V | undefined {
    const value = this.#recent.get(key);
    if (value !== undefined) return value;
    const older = this.#old.get(key);
    if (older !== undefined) this.#store(key, older);
    return older;
  }

  set(key: K, value: V): void {
    this.#store(key, value);
  }

  #store(key: K, value: V): void {
    this.#recent.set(key, value);
    if (this.#recent.size >= this.#max) {
      this.#old = this.#recent;
      this.#recent = new Map();
    }
  }

  /** Entries held (a key promoted from the previous generation may be counted twice until it rotates out). */
  get size(): number {
    return this.#recent.size + this.#old.size;
  }
}
