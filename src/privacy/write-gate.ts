/**
 * Holds back the processor's inserts while an erasure rebuilds sessions, profiles and rollups: an event stored in
 * the middle of a rebuild would be counted twice (once by the views as it is inserted, once by the rebuild's
 * SELECT) or not at all. The processor and forwarder get `wrap(store)`; an erasure runs inside `hold`. Inserts
 * already running finish first; new ones wait, and the log keeps what arrives meanwhile.
 */
import type { Store } from '../store/store.ts';

export interface WriteGate {
  wrap(store: Store): Store;
  hold<T>(work: () => Promise<T>): Promise<T>;
}

export function createWriteGate(): WriteGate {
  let closed: Promise<void> | undefined;
  let running = 0;
  let drained: (() => void) | undefined;

  return {
    wrap(store: Store): Store {
      return new Proxy(store, {
        get(target, name, receiver) {
          if (name !== 'insert') {
            const value = Reflect.get(target, name, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return async (...args: Parameters<Store['insert']>) => {
            while (closed) await closed;
            running++;
            try {
              return await target.insert(...args);
            } finally {
              running--;
              if (running === 0) drained?.();
            }
          };
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
        closed = undefined;
        open();
      }
    },
  };
}
