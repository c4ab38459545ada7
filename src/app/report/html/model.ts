// The page model of `bench report`: plain JSON that the Node side builds from envelopes and the
// browser script draws. Types only, shared by both sides (the browser bundle imports nothing else
// from src/app). Charts are declarative specs so that the page logic (what to plot, which points
// are on a frontier, what is missing) is decided and unit-tested in Node, and the client only maps
// specs to Observable Plot marks.

import type { WireChart } from './wire.js';

export const REPORT_MODEL_VERSION = 1;

/**
 * verified: hash and signature check out and the signer is a key the user trusts;
 * untrusted: hash and signature are self-consistent, the signer is not established;
 * unsigned: `signature` is null; failed: the hash or the signature does not check out.
 */
export type TrustState = 'verified' | 'untrusted' | 'unsigned' | 'failed';

export type LoadKind = 'concurrency' | 'rate';

export interface ReportLoad {
  readonly kind: LoadKind;
  readonly value: number;
}

export interface SloTargetView {
  readonly metric: string;
  readonly percentile: number;
  readonly maxMs: number;
  readonly valueMs: number | null;
  readonly met: boolean | null;
  readonly passRate: number | null;
}

export interface HistogramView {
  /** Bin edges in ms; counts[i] falls in [edgesMs[i], edgesMs[i+1]). */
  readonly edgesMs: readonly number[];
  readonly counts: readonly number[];
}

/** The envelope's `timeline` block, validated (docs/envelope.md). */
export interface TimelineView {
  readonly bucketS: number;
  /** Wall-clock start of t = 0 (ISO), when the block records it. */
  readonly startedAt: string | null;
  readonly windowS: readonly [number, number] | null;
  readonly tS: readonly number[];
  readonly series: Readonly<Record<string, readonly (number | null)[]>>;
}

export interface ReportEnvelope {
  /** Anchor id in the page (`e1`, `e2`, …). */
  readonly id: string;
  /** The file as named on the command line (or found in a directory). */
  readonly file: string;
  readonly seriesIndex: number;
  readonly suite: string;
  readonly suiteVersion: string;
  readonly runId: string;
  readonly timestamp: string;
  readonly model: string;
  readonly engine: string;
  readonly quant: string;
  readonly hardware: string;
  readonly tier: string | null;
  readonly simulated: boolean;
  readonly trust: TrustState;
  readonly trustDetail: string;
  readonly valid: boolean | null;
  readonly load: ReportLoad | null;
  /** The full-context descriptor: label → value, only for the facts the envelope has. */
  readonly context: readonly (readonly [string, string])[];
  /** Selected numeric metrics (v1 keys, plus `tok_per_s_per_user` derived from concurrency). */
  readonly metrics: Readonly<Record<string, number>>;
  /** metric key → [lo, hi] of its 95 % CI. */
  readonly ci: Readonly<Record<string, readonly [number, number]>>;
  readonly sloResolved: string | null;
  readonly sloTargets: readonly SloTargetView[];
  readonly histograms: Readonly<Record<string, HistogramView>>;
  readonly warnings: readonly string[];
  readonly timeline: TimelineView | null;
  /** One line per telemetry fact the envelope summarises (power, util, server metrics…). */
  readonly telemetrySummary: readonly (readonly [string, string])[];
}

export interface ReportSeries {
  readonly label: string;
  readonly engine: string;
  readonly model: string;
  readonly quant: string;
  readonly hardware: string;
}

export type SectionId = 'sweep' | 'tradeoff' | 'distributions' | 'telemetry';

export interface ChartAxis {
  readonly label: string;
  readonly type: 'linear' | 'log';
  /** Start a linear axis at zero. */
  readonly zero?: boolean;
}

export interface ChartLinePoint {
  readonly x: number;
  readonly y: number;
}

export interface ChartLine {
  /** Legend entry (a series label, or a frontier name). */
  readonly series: string;
  readonly points: readonly ChartLinePoint[];
  readonly dashed?: boolean;
  readonly curve?: 'linear' | 'step-after';
}

export interface ChartBand {
  readonly series: string;
  readonly points: readonly { x: number; lo: number; hi: number }[];
}

export interface ChartDot {
  readonly series: string;
  readonly x: number;
  readonly y: number;
  /** Shown on hover: the envelope file and what the point is. */
  readonly file: string;
  readonly label: string;
  /** Drawn as a ring (frontier members, or p99 markers). */
  readonly ring?: boolean;
}

/** A shaded stretch of the x axis (a measurement window). */
export interface ChartSpan {
  readonly x1: number;
  readonly x2: number;
  readonly label: string;
}

export interface ChartRule {
  readonly axis: 'x' | 'y';
  readonly value: number;
  readonly label: string;
}

export interface ChartSpec {
  readonly id: string;
  readonly section: SectionId;
  readonly title: string;
  readonly x: ChartAxis;
  readonly y: ChartAxis;
  readonly lines: readonly ChartLine[];
  readonly bands: readonly ChartBand[];
  readonly dots: readonly ChartDot[];
  readonly rules: readonly ChartRule[];
  readonly spans: readonly ChartSpan[];
  /** Anchor of the table that holds the same numbers. */
  readonly tableId: string | null;
  /** Shown under the chart: what it shows, and which envelopes lack its data. */
  readonly notes: readonly string[];
  /** Set when nothing can be drawn: the reason, shown instead of the chart. */
  readonly placeholder: string | null;
}

export interface ReportModel {
  readonly version: typeof REPORT_MODEL_VERSION;
  readonly title: string;
  readonly generatedAt: string;
  readonly tool: string;
  readonly envelopes: readonly ReportEnvelope[];
  readonly series: readonly ReportSeries[];
  readonly charts: readonly ChartSpec[];
  readonly skipped: readonly { path: string; reason: string }[];
}

/** The part of the model embedded in the page for its script (the rest is rendered as HTML). */
export interface ClientData {
  readonly version: typeof REPORT_MODEL_VERSION;
  readonly series: readonly ReportSeries[];
  /** Envelope files named by the dots (wire.ts). */
  readonly files: readonly string[];
  readonly charts: readonly WireChart[];
}
