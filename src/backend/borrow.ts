/**
 * A backend borrowed from the host's tfjs (both platforms): switched in for the library's own work and
 * the host's switched back right after, so the host keeps its backend between calls. tf.setBackend
 * switches synchronously, before its first await, when the backend is already initialised.
 */
import * as tf from '../util/tf.js';

export interface AttachedBackend {
  /** The backend the library computes on. */
  readonly name: string;
  /** Runs synchronous tfjs work on that backend (switched in and back when borrowed). */
  run<T>(work: () => T): T;
  /** Runs asynchronous work (loading) on it; the host's tfjs calls in between see it too. */
  during<T>(work: () => Promise<T>): Promise<T>;
}

/** The host's active backend, used as it is. */
export const hostBackend = (): AttachedBackend => ({
  get name() {
    return tf.getBackend();
  },
  run: (work) => work(),
  during: (work) => work(),
});

/** Switches the engine to an initialised backend now (tf.setBackend does so before its first await). */
function switchTo(name: string): void {
  if (tf.getBackend() === name) return;
  if (!tf.engine().registry[name]) throw new Error(`backend ${name} is not initialised`);
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`could not switch to backend ${name}`);
}

/**
 * Loads and calls that overlap (several captioners, or a load awaiting I/O while another computes)
 * share one record of the host's backend: taken by the outermost borrow, given back by the last.
 */
let borrows = 0;
let hostName: string | null = null;

/** Backend `requested` (initialised), switched in for the library's work only. */
export function borrowBackend(requested: string): AttachedBackend {
  const borrowed = (): { restore(): void } => {
    if (borrows++ === 0) hostName = tf.engine().backendName;
    try {
      switchTo(requested);
    } catch (err) {
      borrows--;
      throw err;
    }
    return {
      restore: () => {
        if (--borrows === 0 && hostName && hostName !== tf.getBackend()) switchTo(hostName);
      },
    };
  };
  return {
    name: requested,
    run(work) {
      const b = borrowed();
      try {
        return work();
      } finally {
        b.restore();
      }
    },
    async during(work) {
      const b = borrowed();
      try {
        return await work();
      } finally {
        b.restore();
      }
    },
  };
}
