// `--trials N`: each trial runs in a fresh process (seed, seed+1, …) so no state carries over; the
// parent aggregates per point into mean ± std and writes one more signed envelope with the tier.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  readEnvelopeFile,
  signEnvelope,
  timestampMicros,
  finishEnvelope,
  uuidv7,
  writeEnvelope,
  METRIC,
  type UnsignedEnvelope,
} from '../../envelope/index.js';
import { decideTier } from '../../harness/index.js';
import { augmentEnvelope } from '../analysis/augment.js';
import { prepareRunAnalysis, renderRunAnalysis, solCellOf } from '../analysis/run-setup.js';
import { UsageError } from '../errors.js';

import { meetsOkRateFloor, okRateFloorFailure, signingOptionsOf } from './defaults.js';
import { trialsParentFlags } from './flags.js';
import type { RunConfig } from './options.js';
import { fmt, textTable } from './report.js';

interface ChildPoint {
  readonly suite_id: string;
  readonly point: string;
  readonly envelope: string;
  readonly content_hash: string;
  readonly valid: boolean;
  readonly metrics: Record<string, unknown>;
}

// The flags the parent sets for each child come from the flag table (setByTrialsParent).
const { withValue: FLAGS_WITH_VALUE, alone: FLAGS_ALONE } = trialsParentFlags();

/** The user's argv without the flags the parent sets for each child. */
export function childArgs(argv: readonly string[], seed: number, outputDir: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const name = arg.split('=')[0] ?? arg;
    if (FLAGS_WITH_VALUE.has(name)) {
      if (!arg.includes('=')) i++;
      continue;
    }
    if (FLAGS_ALONE.has(name)) continue;
    out.push(arg);
  }
  return [...out, '--trials', '1', '--seed', String(seed), '--output', outputDir, '--no-tui', '--json'];
}

function runChild(args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const entry = process.argv[1];
    if (!entry) {
      reject(new UsageError('cannot locate the bench entry script to start trials', 'E_TRIALS'));
      return;
    }
    const child = spawn(process.execPath, [...process.execArgv, entry, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

export async function runTrials(
  config: RunConfig,
  argv: readonly string[],
  onEnvelopes?: (paths: readonly string[]) => Promise<void>,
): Promise<number> {
  // A bad --prices-file / --ceilings exits 2 before the first trial starts.
  const analysis = prepareRunAnalysis(config);
  const perTrial: ChildPoint[][] = [];
  const childFailures: string[] = [];
  for (let k = 0; k < config.trials; k++) {
    const seed = config.seed + k;
    process.stderr.write(`trial ${k + 1}/${config.trials} (seed ${seed}) in a fresh process\n`);
    const { code, stdout } = await runChild(
      childArgs(argv, seed, join(config.outputDir, 'trials', `t${k + 1}`)),
    );
    if (code === 2 || code === 130) return code;
    // The child has printed why on stderr (inherited); the parent names the trial in its summary.
    if (code !== 0) childFailures.push(`trial ${k + 1} (seed ${seed}) exited ${code}`);
    let parsed: { points?: ChildPoint[] } & Partial<ChildPoint>;
    try {
      parsed = JSON.parse(stdout) as typeof parsed;
    } catch {
      process.stderr.write(`bench: trial ${k + 1} produced no result (exit ${code})\n`);
      return 1;
    }
    perTrial.push(parsed.points ?? [parsed as ChildPoint]);
  }

  const signing = signingOptionsOf(config);
  const first = perTrial[0] ?? [];
  const rows: string[][] = [];
  const written: string[] = [];
  const outputs: { label: string; path: string; envelope: object }[] = [];
  const belowFloor: { point: { label: string }; metrics: Record<string, unknown> }[] = [];
  for (let p = 0; p < first.length; p++) {
    const points = perTrial.map((t) => t[p]).filter((x): x is ChildPoint => x !== undefined);
    const base = await readEnvelopeFile(points[0]?.envelope ?? '');
    const envelopes = await Promise.all(points.map((pt) => readEnvelopeFile(pt.envelope)));
    const numericKeys = Object.keys(base.envelope.metrics).filter((k) =>
      envelopes.every((e) => typeof e.envelope.metrics[k] === 'number'),
    );
    const mean: Record<string, number> = {};
    const std: Record<string, number> = {};
    for (const key of numericKeys) {
      const s = meanStd(envelopes.map((e) => e.envelope.metrics[key] as number));
      mean[key] = s.mean;
      std[key] = s.std;
    }
    const facts = envelopes.map((e) => {
      const env = e.envelope as Record<string, unknown>;
      const quality = env.quality as { valid?: boolean; gate?: { status?: string } } | undefined;
      const runContext = env.run_context as { simulated?: unknown } | undefined;
      const measured = e.envelope.metrics.n_requests;
      return {
        converged: quality?.gate?.status === 'converged',
        healthy: quality?.valid === true,
        measured: typeof measured === 'number' ? measured : 0,
        simulated: runContext?.simulated === true,
      };
    });
    const converged = facts.every((f) => f.converged && f.healthy);
    // Simulated runs are never VERDICT; VERDICT needs ≥ 3 converged, healthy trials of ≥ 200
    // measured requests each (docs/methodology.md "Trials and tiers").
    const decision = decideTier(facts);
    const tier = decision.tier;
    const now = new Date();
    const source = base.envelope;
    const runContext = source.run_context ?? {};
    const aggregate: UnsignedEnvelope = {
      ...source,
      run_id: uuidv7(now),
      timestamp: timestampMicros(now),
      metrics: { ...base.envelope.metrics, ...mean },
      run_context: {
        ...runContext,
        tier,
        trials: {
          count: points.length,
          index: null,
          seeds: points.map((_, k) => config.seed + k),
          std,
          all_converged: converged,
        },
      },
      // One entry per trial (the fresh-process runs whose envelopes are under trials/t<k>/).
      trials: points.map((pt, k) => ({
        seed: config.seed + k,
        content_hash: pt.content_hash,
        valid: pt.valid,
        metrics: Object.fromEntries(
          numericKeys.map((key) => [key, envelopes[k]?.envelope.metrics[key] ?? null]),
        ),
      })),
      metric_ci: {},
      warnings: [
        ...source.warnings,
        ...(tier === 'DRAFT' ? [`tier DRAFT: ${decision.reasons.join('; ')}`] : []),
      ],
      signature: null,
    };
    // %SoL, cost and the descriptor of the means (each trial's own, and its judge, stay in its envelope).
    const { analysis: _trialAnalysis, ...withoutAnalysis } = aggregate;
    const analysed = augmentEnvelope(withoutAnalysis as UnsignedEnvelope, '', {
      ceilings: analysis.ceilings,
      snapshot: analysis.snapshot,
      hardware: analysis.hardware,
      ...(analysis.prices !== undefined ? { prices: analysis.prices } : {}),
      ...(analysis.gpuHourUsd !== undefined ? { gpuHourUsd: analysis.gpuHourUsd } : {}),
      ...(analysis.modelBytes !== undefined ? { modelBytes: analysis.modelBytes } : {}),
    });
    const { envelope } = await signEnvelope(finishEnvelope(analysed), signing);
    const prefix = config.isSweep ? `${points[0]?.point ?? ''}-` : '';
    const path = await writeEnvelope(config.outputDir, prefix, envelope);
    written.push(path);
    if (!meetsOkRateFloor(mean[METRIC.okRate]))
      belowFloor.push({ point: { label: points[0]?.point ?? '' }, metrics: mean });
    const pm = (k: string): string => (k in mean ? `${fmt(mean[k])} ± ${fmt(std[k])}` : 'n/a');
    rows.push([
      points[0]?.point ?? '',
      pm('throughput_tok_per_s'),
      pm('ttft_p50_ms'),
      pm('tpot_p50_ms'),
      pm('ok_rate'),
      solCellOf(analysed),
      tier,
      path,
    ]);
    outputs.push({ label: points[0]?.point ?? '', path, envelope: analysed });
  }
  process.stdout.write(
    `Trials (${config.trials}, seeds ${config.seed}..${config.seed + config.trials - 1}): mean ± std\n` +
      `${textTable(['point', 'throughput_tok_per_s', 'ttft_p50_ms', 'tpot_p50_ms', 'ok_rate', '%SoL', 'tier', 'envelope'], rows)}\n`,
  );
  if (outputs.length > 0) process.stdout.write(`\n${renderRunAnalysis(outputs, config)}\n`);
  if (written.length > 0) await onEnvelopes?.(written);
  // Exit 1 always says why: the points whose mean ok rate is below the floor, the failed trials.
  const reasons = [
    ...(belowFloor.length > 0 ? [okRateFloorFailure(belowFloor, 'mean ok_rate')] : []),
    ...(childFailures.length > 0 ? [`${childFailures.join(', ')} (see the trial's own message above)`] : []),
  ];
  if (reasons.length > 0) process.stderr.write(`bench: exit 1: ${reasons.join('; ')}\n`);
  return reasons.length > 0 ? 1 : 0;
}
