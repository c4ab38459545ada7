// The engine as a timing reference: timed token writes go through one scheduler that does them in
// due order, in bounded slices, yielding to the event loop in between (so requests are read and
// receive-stamped promptly), and every token write reaches the socket right after its stamp.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { EngineMetrics } from '../../../src/engine/metrics.js';
import { createEngineRng as createRng } from '../../../src/lib/rng.js';
import { ResponseStream, type StreamHooks } from '../../../src/engine/stream.js';
import { FixedDriver, WriteScheduler, type DueWrite } from '../../../src/engine/timing.js';

/** A clock that moves only when read: `step` ms per read. */
function steppingClock(step: number): { now: () => number; t: number } {
  const clock = {
    t: 0,
    now: () => {
      const value = clock.t;
      clock.t += step;
      return value;
    },
  };
  return clock;
}

function recorder(log: string[], name: string, dues: number[]): DueWrite {
  let i = 0;
  return {
    dueMs: dues[0] as number,
    fire: () => {
      log.push(`${name}${i}`);
      i += 1;
      return i < dues.length ? (dues[i] as number) : null;
    },
  };
}

describe('WriteScheduler', () => {
  it('does due writes earliest first, re-queues each at its next due time and drops finished ones', () => {
    const clock = { now: 100 };
    const writes = new WriteScheduler(() => clock.now, Infinity);
    const log: string[] = [];
    writes.add(recorder(log, 'b', [20, 60]));
    writes.add(recorder(log, 'a', [10, 30, 50]));
    writes.add(recorder(log, 'c', [40]));
    writes.add(recorder(log, 'later', [1000]));
    expect(writes.drain()).toBe(false);
    expect(log).toEqual(['a0', 'b0', 'a1', 'c0', 'a2', 'b1']);
    expect(writes.pending).toBe(1);
    writes.close();
    expect(writes.pending).toBe(0);
  });

  it('stops after one slice of work and says more is due', () => {
    const clock = steppingClock(0.1);
    const writes = new WriteScheduler(clock.now, 0.25);
    const log: string[] = [];
    for (let s = 0; s < 10; s++) writes.add(recorder(log, `s${s}-`, [0]));
    clock.t = 0;
    expect(writes.drain()).toBe(true);
    // Reads at 0 (start), 0.1, 0.2, 0.3 (≥ 0.25 after the third write): three writes, then stop.
    expect(log).toHaveLength(3);
    expect(writes.pending).toBe(7);
    writes.close();
  });

  it('lets the event loop run between slices instead of doing every due write in one callback', async () => {
    const clock = steppingClock(1); // every write uses up a whole slice
    const writes = new WriteScheduler(clock.now, 0.5);
    const log: string[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    let left = 4;
    for (let s = 0; s < 4; s++) {
      writes.add({
        dueMs: s - 10,
        fire: () => {
          log.push(`write${s}`);
          // Stands for a socket read that becomes ready while tokens go out.
          if (s === 0) setImmediate(() => log.push('io'));
          if (--left === 0) finished();
          return null;
        },
      });
    }
    await done;
    expect(log).toEqual(['write0', 'io', 'write1', 'write2', 'write3']);
    writes.close();
  });

  it('close() drops what is queued: nothing fires after it', async () => {
    const writes = new WriteScheduler();
    let fired = 0;
    writes.add({ dueMs: 0, fire: () => (fired++, null) });
    writes.close();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fired).toBe(0);
    writes.add({ dueMs: 0, fire: () => (fired++, null) });
    expect(writes.pending).toBe(0);
  });
});

class FakeResponse extends EventEmitter {
  readonly calls: string[] = [];
  readonly body: string[] = [];
  ended = false;
  writeHead(): this {
    this.calls.push('writeHead');
    return this;
  }
  flushHeaders(): void {
    this.calls.push('flushHeaders');
  }
  cork(): void {
    this.calls.push('cork');
  }
  uncork(): void {
    this.calls.push('uncork');
  }
  write(chunk: string): boolean {
    this.calls.push('write');
    this.body.push(chunk);
    return true;
  }
  end(chunk: string): this {
    this.calls.push('end');
    this.body.push(chunk);
    this.ended = true;
    return this;
  }
}

const hooks: StreamHooks = {
  onFirstToken: () => undefined,
  onFinished: () => undefined,
  onGone: () => undefined,
  countEvents: () => undefined,
};

function streamOf(res: FakeResponse, outputTokens: number): ResponseStream {
  return new ResponseStream({
    res: res as unknown as ServerResponse,
    kind: 'completions',
    id: 'cmpl-test',
    requestId: null,
    created: 0,
    model: 'm',
    stream: true,
    includeUsage: false,
    promptTokens: 3,
    outputTokens,
    reasoningTokens: 0,
    finishReason: 'length',
    fault: 'none',
    receivedMs: 0,
    truth: null,
    hooks,
  });
}

describe('token writes', () => {
  it('each token event is flushed to the socket by emit() itself (corked write, uncorked at once)', () => {
    const res = new FakeResponse();
    const stream = streamOf(res, 2);
    stream.begin();
    res.calls.length = 0;
    stream.emit(1);
    // Not left corked until the next tick (node:http's default for chunked writes): a driver
    // writing many streams in one slice would otherwise send them all only at its end.
    expect(res.calls).toEqual(['cork', 'write', 'uncork']);
  });

  it('the fixed driver writes every stream through one scheduler and finishes them', () => {
    const clock = { now: 0 };
    const writes = new WriteScheduler(() => clock.now, Infinity);
    const driver = new FixedDriver(
      { ttftMs: 0, ttftJitterMs: 0, itlMs: 0, itlJitterMs: 0 },
      createRng(1),
      1,
      { gpus: 1, idleW: 100, tdpW: 700 },
      { onQueueTime: () => undefined },
      writes,
    );
    const responses = [new FakeResponse(), new FakeResponse(), new FakeResponse()];
    const streams = responses.map((res) => streamOf(res, 3));
    for (const s of streams) {
      s.begin();
      driver.submit(s);
    }
    // One queued write per stream, not one timer per token.
    expect(writes.pending).toBe(3);
    clock.now = 1e12; // everything is due (its submit time was the real clock)
    writes.drain();
    for (const [i, s] of streams.entries()) {
      expect(s.state).toBe('done');
      expect(s.emitted).toBe(3);
      expect(responses[i]?.ended).toBe(true);
    }
    expect(writes.pending).toBe(0);
    driver.close();
  });
});

describe('engine /metrics: the reference reports its own health', () => {
  it('serves its CPU and event-loop delay (prom-client names), the delay since the previous scrape', () => {
    const metrics = new EngineMetrics('m', { modelName: 'gpu', uuidPrefix: 'GPU-x' }, 0);
    const stats = {
      running: 0,
      waiting: 0,
      kvUsage: 0,
      prefixQueriesTokens: 0,
      prefixHitsTokens: 0,
      preemptions: 0,
    };
    const text = metrics.render(stats, [], 0);
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p50_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_eventloop_lag_max_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'));
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
    // Not started: no samples, nothing to report (and take() restarts the window).
    expect(metrics.loop.take()).toBeNull();
  });

  it('serves its garbage-collection pauses: count and total since start, the longest since the previous scrape', () => {
    const metrics = new EngineMetrics('m', { modelName: 'gpu', uuidPrefix: 'GPU-x' }, 0);
    const stats = {
      running: 0,
      waiting: 0,
      kvUsage: 0,
      prefixQueriesTokens: 0,
      prefixHitsTokens: 0,
      preemptions: 0,
    };
    const value = (text: string, name: string): number =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    metrics.loop.addGcPause(2);
    metrics.loop.addGcPause(5);
    const first = metrics.render(stats, [], 0);
    expect(value(first, 'nodejs_gc_pauses_total')).toBe(2);
    expect(value(first, 'nodejs_gc_pause_seconds_total')).toBeCloseTo(0.007, 9);
    expect(value(first, 'nodejs_gc_pause_max_seconds')).toBeCloseTo(0.005, 9);
    metrics.loop.addGcPause(1);
    const second = metrics.render(stats, [], 0);
    expect(value(second, 'nodejs_gc_pauses_total')).toBe(3);
    expect(value(second, 'nodejs_gc_pause_max_seconds')).toBeCloseTo(0.001, 9);
  });
});
