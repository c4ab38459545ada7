// High-resolution waiting against absolute deadlines: a timer until ~SPIN_MS before the deadline,
// then setImmediate turns (which still let I/O run) until the deadline passes. Each wake-up's
// lateness (actual − intended) is reported as pacer lag.

export const SPIN_MS = 1.5;

export interface Pacer {
  sleepUntil(atMs: number): Promise<void>;
}

export function createPacer(
  now: () => number,
  stopSignal: AbortSignal,
  onLag: (lagMs: number) => void,
): Pacer {
  return {
    sleepUntil: (atMs) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (stopSignal.aborted) {
            resolve();
            return;
          }
          const t = now();
          const remaining = atMs - t;
          if (remaining <= 0) {
            onLag(t - atMs);
            resolve();
          } else if (remaining > SPIN_MS + 1) {
            setTimeout(check, remaining - SPIN_MS);
          } else {
            setImmediate(check);
          }
        };
        check();
      }),
  };
}
