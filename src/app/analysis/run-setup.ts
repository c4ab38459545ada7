// The run's side of issue 19: checks the cost/%SoL inputs before any request (exit 2), warns about
// judge flags a spec ignores, and after each point gathers what augmentEnvelope needs (client
// token total, judge verdicts, serving config) and applies it before the envelope is signed.
import { forEachJournalRecord } from '../../harness/metrics/journal.js';
import { judgeAnswers } from '../../harness/judge/client.js';
import { judgeItemsFromRecords, type JudgeableRecord } from '../../harness/plugins/llm-inference/judge-qa.js';
import type { BenchmarkSpec } from '../../harness/plugins/types.js';
import type { RunConfig } from '../run/options.js';
import { augmentEnvelope } from './augment.js';
import { loadCeilings, type Ceilings } from './ceilings.js';
import { servingConfigFromMetrics } from './descriptor.js';
import { loadPricesFile, snapshotPrices, type PriceTable } from './prices.js';
import { serverMetricsLines, serverMetricsView } from './server-metrics.js';
import { renderSolReport } from './sol-report.js';

export interface RunAnalysis {
  readonly ceilings: Ceilings;
  readonly prices?: PriceTable;
  readonly snapshot: PriceTable;
  readonly gpuHourUsd?: number;
  readonly modelBytes?: number;
  readonly hardware: string;
}

/** Reads --prices-file and --ceilings now, so a bad file exits 2 before the first request. */
export function prepareRunAnalysis(config: RunConfig): RunAnalysis {
  const pricesPath = config.extra.pricesFile;
  const prices = typeof pricesPath === 'string' ? loadPricesFile(pricesPath) : undefined;
  return {
    ceilings: loadCeilings(config.analysis.ceilingsPath ?? undefined),
    ...(prices !== undefined ? { prices } : {}),
    snapshot: snapshotPrices(),
    ...(config.analysis.gpuHourUsd !== null ? { gpuHourUsd: config.analysis.gpuHourUsd } : {}),
    ...(config.analysis.modelBytes !== null ? { modelBytes: config.analysis.modelBytes } : {}),
    hardware: config.hardware,
  };
}

const JUDGE_FLAGS = ['judgeModel', 'judgeBaseUrl', 'judgeMaxQuestions'] as const;

/** Judge flags on a spec that does not score: ignored, with this warning. */
export function judgeFlagWarnings(spec: BenchmarkSpec, suiteId: string, config: RunConfig): string[] {
  const given = JUDGE_FLAGS.filter((k) => config.extra[k] !== undefined);
  if (given.length === 0) return [];
  if (spec.scoring === 'judge_llm') {
    return config.extra.judgeModel === undefined
      ? [`${suiteId} scores with an LLM judge but no --judge-model was given: answers are not scored`]
      : [];
  }
  const names = given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
  return [`${names} ignored: ${suiteId} does not score answers (no scoring: judge_llm)`];
}

async function servingConfig(
  metricsUrl: string,
): Promise<{ values: Record<string, string>; source: string }> {
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return { values: {}, source: 'not exposed' };
    const values = servingConfigFromMetrics(await res.text());
    return { values, source: Object.keys(values).length > 0 ? 'engine /metrics' : 'not exposed' };
  } catch {
    return { values: {}, source: 'not exposed' };
  }
}

export interface PointAnalysisInput {
  readonly analysis: RunAnalysis;
  readonly config: RunConfig;
  readonly spec: BenchmarkSpec;
  readonly journalPath: string;
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly apiKey: string | undefined;
  readonly modelId: string;
  readonly log: (line: string) => void;
}

/** Client token total and judge items from the point's journal (one pass). */
async function readJournal(
  path: string,
  wantItems: boolean,
): Promise<{ tokens: number; records: JudgeableRecord[] }> {
  let tokens = 0;
  const records: JudgeableRecord[] = [];
  try {
    await forEachJournalRecord(path, (r) => {
      tokens += r.oslTokens;
      if (wantItems && r.tag !== undefined)
        records.push({
          tag: r.tag,
          errorCode: r.errorCode,
          warmup: r.warmup,
          ...(r.outputText !== undefined ? { outputText: r.outputText } : {}),
        });
    });
  } catch {
    // No journal (e.g. nothing was sent): no token check, nothing to judge.
  }
  return { tokens, records };
}

export async function applyPointAnalysis<T extends object>(
  unsigned: T,
  input: PointAnalysisInput,
): Promise<T> {
  const { config, spec } = input;
  const judgeModel = config.extra.judgeModel;
  const scoring = spec.scoring === 'judge_llm' && typeof judgeModel === 'string';
  const journal = await readJournal(input.journalPath, scoring);
  let judge;
  if (scoring) {
    const items = judgeItemsFromRecords(journal.records);
    input.log(`judging ${items.length} answers with ${judgeModel}`);
    const judgeBaseUrl = config.extra.judgeBaseUrl;
    judge = await judgeAnswers(items, {
      baseUrl: typeof judgeBaseUrl === 'string' ? judgeBaseUrl : input.baseUrl,
      model: judgeModel,
      maxQuestions: Number(config.extra.judgeMaxQuestions ?? 0),
      ...(input.apiKey !== undefined && typeof judgeBaseUrl !== 'string' ? { apiKey: input.apiKey } : {}),
    });
  }
  return augmentEnvelope(unsigned, '', {
    ceilings: input.analysis.ceilings,
    snapshot: input.analysis.snapshot,
    hardware: input.analysis.hardware,
    ...(input.analysis.prices !== undefined ? { prices: input.analysis.prices } : {}),
    ...(input.analysis.gpuHourUsd !== undefined ? { gpuHourUsd: input.analysis.gpuHourUsd } : {}),
    ...(input.analysis.modelBytes !== undefined ? { modelBytes: input.analysis.modelBytes } : {}),
    serving: await servingConfig(input.metricsUrl),
    ...(journal.tokens > 0 ? { clientOutputTokens: journal.tokens } : {}),
    ...(judge !== undefined ? { judge } : {}),
  });
}

/** Workload %SoL cell for the sweep table, from the envelope's analysis block. */
export function solCellOf(envelope: object): string {
  const workload = (envelope as { analysis?: { sol?: { workload?: { value?: unknown } } } }).analysis?.sol
    ?.workload;
  return typeof workload?.value === 'number' ? `${(workload.value * 100).toFixed(1)}%` : 'n/a';
}

export interface RunPointOutput {
  readonly label: string;
  readonly path: string;
  readonly envelope: object;
}

/**
 * Printed under the run's result table(s): the engine's /metrics view of each point, every point's
 * full-context descriptor, and the next lever.
 */
export function renderRunAnalysis(points: readonly RunPointOutput[], config: RunConfig): string {
  const options = {
    ceilings: loadCeilings(config.analysis.ceilingsPath ?? undefined),
    hardware: config.hardware,
    ...(config.analysis.modelBytes !== null ? { modelBytes: config.analysis.modelBytes } : {}),
  };
  const server = points.flatMap((p) => {
    const view = serverMetricsView(p.envelope);
    if (view === null) return [];
    const [head, ...rest] = serverMetricsLines(view);
    return [`${p.label} ${head ?? ''}`, ...rest];
  });
  const sol = renderSolReport(
    points.map((p) => ({ label: p.label, loaded: { path: p.path, envelope: p.envelope } })),
    options,
    { table: points.length > 1 },
  );
  const single = points.length === 1 ? solLine(points[0]!.envelope) : [];
  return [...single, ...server, ...(server.length > 0 ? [''] : []), sol].join('\n');
}

function solLine(envelope: object): string[] {
  const analysis = (
    envelope as {
      analysis?: { sol?: Record<string, { value?: unknown; ceiling_key?: unknown; reason?: unknown }> };
    }
  ).analysis?.sol;
  if (!analysis) return [];
  const cell = (key: string): string => {
    const v = analysis[key];
    if (typeof v?.value === 'number') return `${(v.value * 100).toFixed(1)}% of ${String(v.ceiling_key)}`;
    return `n/a (${typeof v?.reason === 'string' ? v.reason : 'unknown'})`;
  };
  const metrics = (envelope as { metrics?: Record<string, unknown> }).metrics ?? {};
  const cost = metrics.cost_usd_per_million_tokens;
  const accuracy = metrics.accuracy;
  return [
    `%SoL: ${cell('workload')} · decode MBU ${cell('decode_mbu')} · prefill MFU ${cell('prefill_mfu')}`,
    `cost: ${typeof cost === 'number' ? `$${cost.toFixed(4)}/Mtok` : 'n/a'} (${typeof metrics.cost_source === 'string' ? metrics.cost_source : 'none'})`,
    ...(typeof accuracy === 'number'
      ? [
          `accuracy: ${accuracy.toFixed(3)} over ${typeof metrics.accuracy_n === 'number' ? metrics.accuracy_n : '?'} judged answers`,
        ]
      : []),
  ];
}
