// Issue 17 case 4, the CLI side: a trace suite runs one trace point whose gate is off, whose warm-up
// is 0 unless --warmup is typed, and whose --duration is a cap only when typed.
import { describe, expect, it } from 'vitest';
import { closedPoint, parseRunFlags } from '../../../src/app/run/options.js';
import { sharePoint, shareWorkload } from '../../../src/app/shard/point-shard.js';
import {
  traceIgnoredFlags,
  tracePoint,
  traceRatePerS,
  traceSettings,
} from '../../../src/app/run/trace-point.js';
import { defaultWorkerCount } from '../../../src/harness/client/worker-pool.js';
import type { TraceWorkload } from '../../../src/harness/plugins/types.js';

const workload: TraceWorkload = {
  kind: 'trace',
  datasetId: 't',
  datasetHash: '0'.repeat(64),
  entries: [120, 400, 1873].map((atMs) => ({ atMs, request: { prompt: 'x', maxTokens: 8 } })),
};

describe('trace settings from the flags', () => {
  it('defaults: no warm-up, no duration cap, span from the first to the last timestamp', () => {
    const config = parseRunFlags('llm.inference.trace', { warmup: '3', duration: '60' }, []);
    expect(traceSettings(config, workload)).toEqual({
      timeScale: 1,
      entries: 3,
      spanS: 1.753,
      warmupRequests: 0,
      durationS: undefined,
    });
  });
  it('typed --warmup, --duration and --time-scale apply', () => {
    const config = parseRunFlags('llm.inference.trace', { warmup: '2', duration: '8', timeScale: '0.5' }, [
      'warmup',
      'duration',
      'time-scale',
    ]);
    const s = traceSettings(config, workload);
    expect(s.warmupRequests).toBe(2);
    expect(s.durationS).toBe(8);
    expect(s.timeScale).toBe(0.5);
    expect(s.spanS).toBeCloseTo(0.8765, 12);
    expect(tracePoint(s.timeScale)).toEqual({ mode: 'trace', value: 0.5, prefix: '', label: 'trace' });
  });
  it('load flags a replay does not use are named, one warning each', () => {
    const config = parseRunFlags('llm.inference.trace', { concurrency: '4' }, ['concurrency', 'duration']);
    expect(traceIgnoredFlags(config, 'llm.inference.trace')).toEqual([
      '--concurrency is ignored by llm.inference.trace: a trace replay sends each request at its timestamp (--time-scale changes the speed)',
    ]);
  });
});

describe('a sharded trace', () => {
  it('keeps the trace clock on every shard; each replays every N-th entry at its timestamp', () => {
    const spec = { index: 1, count: 2 };
    expect(sharePoint(tracePoint(0.5), spec)).toEqual(tracePoint(0.5));
    expect(sharePoint(closedPoint(8, false), spec).value).toBe(4);
    const share = shareWorkload(workload, spec);
    if (share.kind !== 'trace') throw new Error('trace expected');
    expect(share.entries.map((e) => e.atMs)).toEqual([400]);
    // Time zero stays the whole trace's: the shard sends its entry 280 ms in, as the trace says.
    expect(share.originAtMs).toBe(120);
    expect(traceSettings(parseRunFlags('llm.inference.trace', {}, []), share).spanS).toBe(0.28);
  });
});

describe('client workers for a trace', () => {
  it("sizes the pool from the trace's own rate, not from the time scale in the point", () => {
    // 20 entries over 9.87 s (the GPU check): ~2 req/s × 128 tokens — one thread on a 16-core host.
    const rate = traceRatePerS({ entries: 20, spanS: 9.87 });
    expect(rate).toBeCloseTo(2.026, 3);
    expect(defaultWorkerCount({ rps: rate, outputTokens: 128 }, { cores: 16, load1: 0 })).toBe(1);
    // The time scale (30) read as a rate asked for a pool of 4 threads.
    expect(defaultWorkerCount({ rps: 30, outputTokens: 128 }, { cores: 16, load1: 0 })).toBe(4);
    // The fixture trace (100 over 1.873 s) at 53 req/s does want a pool on a big host.
    expect(
      defaultWorkerCount(
        { rps: traceRatePerS({ entries: 100, spanS: 1.873 }), outputTokens: 128 },
        { cores: 16, load1: 0 },
      ),
    ).toBe(4);
  });
});
