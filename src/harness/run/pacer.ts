// High-resolution waiting against absolute deadlines: a timer until ~SPIN_MS before the deadline,
// then setImmediate turns (which still let I/O run) until the deadline passes. Each wake-up's
// lateness (actual − deadline) is reported as pacer lag, including a caller that arrives already
// late because the event loop was busy. (The open-loop driver does not ask the pacer about
// arrivals that fell due while it was blocked on a --max-concurrency slot: that wait is
// client_queue_delay, not pacer lag.)

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
        let timer: NodeJS.Timeout | undefined;
        let listening = false;
        let settled = false;
        const finish = (): void => {
          if (settled) return;
          settled = true;
          if (timer !== undefined) clearTimeout(timer);
          if (listening) stopSignal.removeEventListener('abort', finish);
          resolve();
        };
        const check = (): void => {
          if (settled) return;
          if (stopSignal.aborted) {
            finish();
            return;
          }
          const t = now();
          const remaining = atMs - t;
          if (remaining <= 0) {
            onLag(t - atMs);
            finish();
          } else if (remaining > SPIN_MS + 1) {
            // A long wait must end at once when the driver is told to stop.
            if (!listening) {
              listening = true;
              stopSignal.addEventListener('abort', finish, { once: true });
            }
            timer = setTimeout(check, remaining - SPIN_MS);
          } else {
            setImmediate(check);
          }
        };
        check();
      }),
  };
}
