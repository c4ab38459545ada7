// Live recorder: O(1) per record (counters, errors by code, HDR histograms for TTFT/TPOT, log
// buckets for display, the convergence gate) and a frozen HarnessSnapshot on demand.
// Records are kept (for exact final metrics) and streamed to the journal when one is given.
// The phase and the window are read from the point's phase machine (PhaseView), never set here.
import * as hdr from 'hdr-histogram-js';
import type { Clock } from '../clock.js';
import type { PhaseView } from '../run/phases.js';
import type { ClientHealth, GateState, HarnessSnapshot, Phase, PointLabel, RequestRecord } from '../types.js';
import { ConvergenceGate, type GateOptions } from './gate.js';
import { LogBuckets } from './histogram-view.js';
import type { JournalWriter } from './journal.js';
import { decodeRateTokPerS, tpotMs, ttftMs } from './samples.js';

const SERIES_LENGTH = 120;
const US_PER_MS = 1000;

/** Live counters the client exposes (see StreamClient.stats). */
export interface LiveSource {
  readonly tokensReceived: number;
  readonly inFlight: number;
}

export interface RecorderOptions {
  /** The gate itself (shared with the phase machine) or its options. */
  readonly gate: ConvergenceGate | GateOptions;
  readonly point: PointLabel;
  readonly durationS: number | null;
  readonly clock: Pick<Clock, 'now'>;
  /** Where the phase and the window come from; default a standalone view (phase 'starting'). */
  readonly phases?: PhaseView;
  readonly live?: LiveSource;
  readonly journal?: JournalWriter | null;
  /** Keep records in memory (default true; final metrics need them). */
  readonly keepRecords?: boolean;
}

function newHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    useWebAssembly: false,
    numberOfSignificantValueDigits: 3,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
  });
}

const EMPTY_HEALTH: ClientHealth = Object.freeze({
  eventLoopDelayP99Ms: null,
  pacerLagP99Ms: null,
  cpuPercent: null,
  distorted: false,
  reasons: Object.freeze([]),
});

export class Recorder {
  readonly records: RequestRecord[] = [];
  readonly gate: ConvergenceGate;
  readonly phases: PhaseView;
  health: ClientHealth = EMPTY_HEALTH;
  sent = 0;
  done = 0;
  ok = 0;
  failed = 0;
  readonly errorsByCode: Record<string, number> = {};
  private ttftHdr = newHistogram();
  private tpotHdr = newHistogram();
  private ttftBuckets = new LogBuckets();
  private tpotBuckets = new LogBuckets();
  private tokensDone = 0;
  private readonly tokSeries: number[] = [];
  private readonly reqSeries: number[] = [];
  private lastSampleMs: number;
  private lastSampleTokens = 0;
  private lastSampleDone = 0;
  private currentTokPerS = 0;
  private currentReqPerS = 0;
  private seq = 0;
  private readonly startMs: number;

  constructor(private readonly options: RecorderOptions) {
    this.gate = options.gate instanceof ConvergenceGate ? options.gate : new ConvergenceGate(options.gate);
    this.phases = options.phases ?? { phase: 'starting', windowStartMs: null, windowEndMs: null };
    this.startMs = options.clock.now();
    this.lastSampleMs = this.startMs;
  }

  get phase(): Phase {
    return this.phases.phase;
  }

  onSend(): void {
    this.sent++;
  }

  /** Records one finished request. Returns true when it opened the convergence gate. */
  onRecord(record: RequestRecord): boolean {
    this.done++;
    if (this.options.keepRecords !== false) this.records.push(record);
    this.options.journal?.append(record);
    if (record.errorCode !== null) {
      this.failed++;
      this.errorsByCode[record.errorCode] = (this.errorsByCode[record.errorCode] ?? 0) + 1;
      return false;
    }
    this.ok++;
    for (let i = 0; i < record.eventTokens.length; i++) this.tokensDone += record.eventTokens[i] ?? 1;
    if (record.warmup) return false;
    const ttft = ttftMs(record);
    if (ttft !== null) {
      this.ttftHdr.recordValue(Math.max(1, Math.round(ttft * US_PER_MS)));
      this.ttftBuckets.add(ttft);
    }
    const tpot = tpotMs(record);
    if (tpot !== null) {
      this.tpotHdr.recordValue(Math.max(1, Math.round(tpot * US_PER_MS)));
      this.tpotBuckets.add(tpot);
    }
    if (this.phase === 'gate') {
      const rate = decodeRateTokPerS(record);
      if (rate !== null) return this.gate.add(rate);
    }
    return false;
  }

  /** Clears the live latency views (called when measurement starts). Counters keep running. */
  resetLiveLatency(): void {
    this.ttftHdr = newHistogram();
    this.tpotHdr = newHistogram();
    this.ttftBuckets = new LogBuckets();
    this.tpotBuckets = new LogBuckets();
  }

  /** Call periodically (e.g. every 250 ms): closes 1-second rate samples. */
  tick(): void {
    const nowMs = this.options.clock.now();
    const elapsed = nowMs - this.lastSampleMs;
    if (elapsed < 1000) return;
    const tokens = this.options.live?.tokensReceived ?? this.tokensDone;
    this.currentTokPerS = ((tokens - this.lastSampleTokens) * 1000) / elapsed;
    this.currentReqPerS = ((this.done - this.lastSampleDone) * 1000) / elapsed;
    this.lastSampleTokens = tokens;
    this.lastSampleDone = this.done;
    this.lastSampleMs = nowMs;
    pushBounded(this.tokSeries, this.currentTokPerS);
    pushBounded(this.reqSeries, this.currentReqPerS);
  }

  gateState(): GateState {
    return this.gate.state();
  }

  buildSnapshot(): HarnessSnapshot {
    const nowMs = this.options.clock.now();
    const p = (h: hdr.Histogram, q: number): number | null =>
      h.totalCount === 0 ? null : h.getValueAtPercentile(q) / US_PER_MS;
    const ttftP50 = p(this.ttftHdr, 50);
    const ttftP99 = p(this.ttftHdr, 99);
    const tpotP50 = p(this.tpotHdr, 50);
    const tpotP99 = p(this.tpotHdr, 99);
    this.seq++;
    return Object.freeze({
      seq: this.seq,
      phase: this.phase,
      elapsedS: (nowMs - this.startMs) / 1000,
      durationS: this.options.durationS,
      windowElapsedS:
        this.phases.windowStartMs === null
          ? null
          : ((this.phases.windowEndMs ?? nowMs) - this.phases.windowStartMs) / 1000,
      point: this.options.point,
      inFlight: this.options.live?.inFlight ?? this.sent - this.done,
      sent: this.sent,
      done: this.done,
      ok: this.ok,
      failed: this.failed,
      errorsByCode: Object.freeze({ ...this.errorsByCode }),
      tokPerS: this.currentTokPerS,
      reqPerS: this.currentReqPerS,
      tokPerSSeries: Object.freeze(this.tokSeries.slice()),
      reqPerSSeries: Object.freeze(this.reqSeries.slice()),
      ttft: this.ttftBuckets.view(ttftP50, ttftP99),
      tpot: this.tpotBuckets.view(tpotP50, tpotP99),
      gate: Object.freeze(this.gate.state()),
      client: this.health,
    });
  }
}

function pushBounded(series: number[], value: number): void {
  series.push(value);
  if (series.length > SERIES_LENGTH) series.shift();
}
