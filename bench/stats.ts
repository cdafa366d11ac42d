/** Small statistics helpers: a growable latency buffer, nearest-rank percentiles, medians. */

export class Samples {
  #values = new Float64Array(1 << 16);
  #length = 0;

  add(value: number): void {
    if (this.#length === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  /** A sorted copy of the samples. */
  sorted(): Float64Array {
    return this.#values.slice(0, this.#length).sort();
  }
}

/** Nearest-rank percentile of sorted values (`p` in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 50);
}

export function mean(sorted: ArrayLike<number>): number {
  if (sorted.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i] ?? 0;
  return sum / sorted.length;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
