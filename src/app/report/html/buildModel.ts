// Envelopes (already loaded and trust-checked) → the page model.
import { engineLabel, hardwareLabel, modelLabel, quantLabel, type LoadedEnvelope } from '../envelopeView.js';
import { getString } from '../envelopeView.js';
import { buildCharts } from './charts.js';
import {
  ciOf,
  contextOf,
  histogramsOf,
  loadOf,
  metricsOf,
  simulatedOf,
  sloTargetsOf,
  telemetrySummaryOf,
  timelineOf,
  tierOf,
  validOf,
  warningsOf,
} from './envelopeFacts.js';
import {
  REPORT_MODEL_VERSION,
  type ReportEnvelope,
  type ReportModel,
  type ReportSeries,
  type TrustState,
} from './model.js';

export interface TrustedEnvelope {
  readonly loaded: LoadedEnvelope;
  /** The file as the user should see it (relative path or name). */
  readonly file: string;
  readonly trust: TrustState;
  readonly trustDetail: string;
}

export interface BuildModelOptions {
  readonly title?: string;
  /** Injected clock seam: when the page was generated (ISO string). */
  readonly generatedAt: string;
  readonly tool: string;
  readonly skipped?: readonly { path: string; reason: string }[];
}

/** One series per engine/model/quant/hardware, in first-seen order. */
function seriesOf(loaded: LoadedEnvelope): ReportSeries {
  const env = loaded.envelope;
  const engine = engineLabel(env);
  const model = modelLabel(env);
  const quant = quantLabel(env);
  const hardware = hardwareLabel(env);
  const shortModel = model.includes('/') ? model.slice(model.indexOf('/') + 1) : model;
  return { label: `${engine} · ${shortModel} · ${quant} · ${hardware}`, engine, model, quant, hardware };
}

export function buildReportModel(
  inputs: readonly TrustedEnvelope[],
  options: BuildModelOptions,
): ReportModel {
  const series: ReportSeries[] = [];
  const envelopes = inputs.map((input, i): ReportEnvelope => {
    const { loaded } = input;
    const env = loaded.envelope;
    const s = seriesOf(loaded);
    let seriesIndex = series.findIndex((other) => other.label === s.label);
    if (seriesIndex < 0) seriesIndex = series.push(s) - 1;
    const load = loadOf(loaded);
    return {
      id: `e${i + 1}`,
      file: input.file,
      seriesIndex,
      suite: getString(env, 'suite_id') ?? '(no suite)',
      suiteVersion: getString(env, 'suite_version') ?? '',
      runId: getString(env, 'run_id') ?? '',
      timestamp: getString(env, 'timestamp') ?? '',
      model: s.model,
      engine: s.engine,
      quant: s.quant,
      hardware: s.hardware,
      tier: tierOf(loaded),
      simulated: simulatedOf(loaded),
      trust: input.trust,
      trustDetail: input.trustDetail,
      valid: validOf(loaded),
      load,
      context: contextOf(loaded, load, input.trust),
      metrics: metricsOf(loaded, load),
      ci: ciOf(loaded),
      sloResolved:
        getString(env, 'metrics', 'slo_template_resolved') ??
        getString(env, 'quality', 'slo', 'resolved') ??
        null,
      sloTargets: sloTargetsOf(loaded),
      histograms: histogramsOf(loaded),
      warnings: warningsOf(loaded),
      timeline: timelineOf(loaded),
      telemetrySummary: telemetrySummaryOf(loaded),
    };
  });
  const suites = [...new Set(envelopes.map((e) => e.suite))];
  return {
    version: REPORT_MODEL_VERSION,
    title: options.title ?? `bench report: ${suites.length === 1 ? suites[0] : `${suites.length} suites`}`,
    generatedAt: options.generatedAt,
    tool: options.tool,
    envelopes,
    series,
    charts: buildCharts(series, envelopes),
    skipped: options.skipped ?? [],
  };
}
