// What the point runner records into the envelope's timeline block (src/lib/timeline.ts): output
// tokens by arrival second, finished requests, the pacer's lag and the event-loop delay, the worst
// per second. Telemetry adds the GPU and server columns afterwards (app/run/point.ts).
import type { TimelineBuilder } from '../../lib/timeline.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { RequestRecord } from '../types.js';

/** How often the loop-delay probe fires; its lateness is the event-loop delay it sees. */
const PROBE_MS = 100;

export interface TimelineRecorder {
  onRecord(record: RequestRecord): void;
  onLag(lagMs: number): void;
  stop(): void;
}

export function recordTimeline(timeline: TimelineBuilder, clock: Clock): TimelineRecorder {
  let last = clock.now();
  let probe: TimerHandle | null = clock.setInterval(() => {
    const now = clock.now();
    timeline.add('loop_delay_ms', now, Math.max(0, now - last - PROBE_MS));
    last = now;
  }, PROBE_MS);
  return {
    onRecord(record) {
      const times = record.eventTimesMs;
      const tokens = record.eventTokens;
      if (times.length > 0 && times.length === tokens.length)
        for (let i = 0; i < times.length; i++)
          timeline.add('output_tok_per_s', times[i] ?? 0, tokens[i] ?? 0);
      else if (record.oslTokens > 0) timeline.add('output_tok_per_s', record.tDoneMs, record.oslTokens);
      if (record.errorCode === null) timeline.add('req_per_s', record.tDoneMs, 1);
    },
    onLag(lagMs) {
      timeline.add('pacer_lag_ms', clock.now(), lagMs);
    },
    stop() {
      if (probe !== null) clock.clearInterval(probe);
      probe = null;
    },
  };
}
