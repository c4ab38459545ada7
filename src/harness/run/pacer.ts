// High-resolution waiting against absolute deadlines: a timer until ~clock.spinMs before the
// deadline, then setImmediate turns (which still let I/O run) until the deadline passes. Each
// wake-up's lateness (actual − deadline) is reported as pacer lag, including a caller that arrives
// already late because the event loop was busy. (The open-loop driver does not ask the pacer about
// arrivals that fell due while it was blocked on a --max-concurrency slot: that wait is
// client_queue_delay, not pacer lag.) On a clock whose timers are exact (spinMs 0) it never spins.
import { SYSTEM_SPIN_MS, type Clock, type TimerHandle } from '../clock.js';

export const SPIN_MS = SYSTEM_SPIN_MS;

export interface Pacer {
  sleepUntil(atMs: number): Promise<void>;
}

export function createPacer(clock: Clock, stopSignal: AbortSignal, onLag: (lagMs: number) => void): Pacer {
  const spinMs = clock.spinMs;
  const timerThresholdMs = spinMs > 0 ? spinMs + 1 : 0;
  return {
    sleepUntil: (atMs) =>
      new Promise<void>((resolve) => {
        let timer: TimerHandle | undefined;
        let listening = false;
        let settled = false;
        const finish = (): void => {
          if (settled) return;
          settled = true;
          if (timer !== undefined) clock.clearTimeout(timer);
          if (listening) stopSignal.removeEventListener('abort', finish);
          resolve();
        };
        const check = (): void => {
          if (settled) return;
          if (stopSignal.aborted) {
            finish();
            return;
          }
          const t = clock.now();
          const remaining = atMs - t;
          if (remaining <= 0) {
            onLag(t - atMs);
            finish();
          } else if (remaining > timerThresholdMs) {
            // A long wait must end at once when the driver is told to stop.
            if (!listening) {
              listening = true;
              stopSignal.addEventListener('abort', finish, { once: true });
            }
            timer = clock.setTimeout(check, remaining - spinMs);
          } else {
            setImmediate(check);
          }
        };
        check();
      }),
  };
}
