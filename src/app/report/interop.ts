// Reading envelopes of both tools side by side (issue 16, "Same words, same meaning"): which tool
// wrote an envelope, whether two envelopes ran the same workload (dataset hashes match), and whether
// their SLO thresholds are the same (otherwise compliance and goodput are not comparable: a
// threshold change is never an improvement). docs/envelope.md lists the differences.
import {
  inferenceBenchResolvedText,
  inferenceBenchThresholds,
} from '../../harness/metrics/slo-inferencebench.js';
import { currentDatasetId } from '../../harness/plugins/llm-inference/specs.js';
import { getPath, getString, type EnvelopeLike } from './envelopeView.js';

/** `node`: this tool (its envelopes carry run_context.tool); `python`: InferenceBench (or another). */
export type Producer = 'node' | 'python';

export function producerOf(envelope: EnvelopeLike): Producer {
  return getString(envelope, 'run_context', 'tool', 'name') === 'inferencebench' ? 'node' : 'python';
}

export interface DatasetRef {
  readonly id: string;
  readonly hash: string;
  /** Our current id for the data when an older envelope of ours recorded a legacy id, else `id`. */
  readonly currentId: string;
}

export function datasetOf(envelope: EnvelopeLike): DatasetRef {
  const id = getString(envelope, 'dataset', 'id') ?? '';
  const hash = getString(envelope, 'dataset', 'hash') ?? '';
  return { id, hash, currentId: producerOf(envelope) === 'node' ? currentDatasetId(id) : id };
}

/** `builtin-chatbot-short-node 0419b36ee804` (with the recorded id when it was a legacy one). */
export function datasetLabel(ref: DatasetRef): string {
  const id = ref.currentId === ref.id ? ref.id : `${ref.currentId} (recorded as ${ref.id})`;
  return `${id || '?'} ${ref.hash.slice(0, 12) || '?'}`;
}

/** The same workload means the same data: equal (non-empty) dataset hashes, whatever the ids say. */
export function sameWorkload(a: EnvelopeLike, b: EnvelopeLike): boolean {
  const ha = datasetOf(a).hash;
  return ha !== '' && ha === datasetOf(b).hash;
}

export interface SloContext {
  readonly producer: Producer;
  readonly template: string | null;
  /** metrics.slo_template_resolved: the thresholds after hardware scaling, as the tool wrote them. */
  readonly resolved: string | null;
}

export function sloContextOf(envelope: EnvelopeLike): SloContext {
  const raw = getPath(envelope, 'slo_template');
  const template = typeof raw === 'string' && raw !== '' ? raw : null;
  const producer = producerOf(envelope);
  const recorded = getString(envelope, 'metrics', 'slo_template_resolved') ?? null;
  return { producer, template, resolved: recorded ?? theirResolved(producer, template, envelope) };
}

/** An envelope of theirs without slo_template_resolved: its template read by its own name and class. */
function theirResolved(producer: Producer, template: string | null, envelope: EnvelopeLike): string | null {
  if (producer !== 'python' || template === null) return null;
  const limits = inferenceBenchThresholds(
    template,
    getString(envelope, 'metrics', 'slo_hardware_class') ?? 'h100',
  );
  return limits ? inferenceBenchResolvedText(limits) : null;
}

export function sloLabel(context: SloContext): string {
  const tool = context.producer === 'node' ? 'ours' : 'InferenceBench';
  return `${context.template ?? 'no template'} (${tool}${context.resolved ? `: ${context.resolved}` : ''})`;
}

/**
 * Same thresholds: same tool (the two tools' templates of one name differ), same template id and
 * the same resolved thresholds when both recorded them.
 */
export function sameThresholds(a: EnvelopeLike, b: EnvelopeLike): boolean {
  const ca = sloContextOf(a);
  const cb = sloContextOf(b);
  if (ca.producer !== cb.producer || ca.template !== cb.template) return false;
  return ca.resolved === null || cb.resolved === null || ca.resolved === cb.resolved;
}

/** Metrics whose value depends on the SLO thresholds (compliance, goodput, passing rates). */
export function isSloMetric(metric: string): boolean {
  return (
    metric === 'compliance_rate' ||
    metric === 'req_per_s_passing' ||
    metric.startsWith('goodput_') ||
    metric === 'goodput' ||
    metric.startsWith('slo_') // ours: slo_ttft_pass_rate, slo_tpot_pass_rate
  );
}

/** One line saying why two envelopes are not the same workload, or null when they are. */
export function workloadWarning(baseline: EnvelopeLike, candidate: EnvelopeLike): string | null {
  if (sameWorkload(baseline, candidate)) return null;
  return (
    `different workloads: dataset hashes differ (baseline ${datasetLabel(datasetOf(baseline))}, ` +
    `candidate ${datasetLabel(datasetOf(candidate))}); the numbers are not the same workload`
  );
}

/** One line saying the SLO thresholds differ, or null when they are the same. */
export function thresholdsWarning(baseline: EnvelopeLike, candidate: EnvelopeLike): string | null {
  if (sameThresholds(baseline, candidate)) return null;
  return (
    `thresholds differ: baseline ${sloLabel(sloContextOf(baseline))}, candidate ${sloLabel(sloContextOf(candidate))}; ` +
    'no verdict on compliance or goodput'
  );
}
