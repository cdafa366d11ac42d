/**
 * Holds back the processor's inserts while an erasure rebuilds sessions, profiles and rollups: an event stored in
 * the middle of a rebuild would be counted twice (once by the views as it is inserted, once by the rebuild's
 * SELECT) or not at all. The consumers get `wrap(store)`; an erasure runs inside `hold`. Inserts already running
 * finish first; new ones wait, and the log keeps what arrives meanwhile.
 *
 * The events processor holds more than inserts: the visit rows of a batch are folded from what the store holds
 * (src/process/visits/), so a whole batch runs inside `guard` — an erasure waits for the batch in flight, the next
 * batch waits for the erasure — and `generation` tells the processor an erasure happened since its last batch (the
 * visits it holds in memory may hold erased events).
 */
import type { Store } from '../store/store.ts';

export interface WriteGate {
  wrap(store: Store): Store;
  hold<T>(work: () => Promise<T>): Promise<T>;
  /** Runs `work` as one insert of the gate's (its own inserts then go to the store itself, not through `wrap`). */
  guard<T>(work: () => Promise<T>): Promise<T>;
  /** How many holds have ended: a change means the store was rewritten under whatever was read before. */
  generation(): number;
}

export function createWriteGate(): WriteGate {
  let closed: Promise<void> | undefined;
  let running = 0;
  let drained: (() => void) | undefined;
  let holds = 0;

  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    while (closed) await closed;
    running++;
    try {
      return await work();
    } finally {
      running--;
      if (running === 0) drained?.();
    }
  };

  return {
    wrap(store: Store): Store {
      return new Proxy(store, {
        get(target, name, receiver) {
          if (name !== 'insert') {
            const value = Reflect.get(target, name, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return async (...args: Parameters<Store['insert']>) => guard(() => target.insert(...args));
        },
      });
    },

    async hold<T>(work: () => Promise<T>): Promise<T> {
      while (closed) await closed;
      let open = () => {};
      closed = new Promise<void>((resolve) => {
        open = resolve;
      });
      try {
        if (running > 0)
          await new Promise<void>((resolve) => {
            drained = resolve;
          });
        drained = undefined;
        return await work();
      } finally {
        holds++;
        closed = undefined;
        open();
      }
    },

    guard,

    generation: () => holds,
  };
}
