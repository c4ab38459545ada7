// llm.inference's validate(spec, context): problems found before any request is sent. Errors stop
// the run; warnings are printed (and fail the run under --strict).
import { existsSync, statSync } from 'node:fs';
import type { BenchmarkSpec, PluginContext, ValidationResult } from '../types.js';
import { parseDistribution } from './distributions.js';
import { DEFAULTS, kebab } from './options.js';
import { locateShareGpt, SHAREGPT_STANDIN_NAME } from './sharegpt.js';
import { currentDatasetId, DATASET_IDS, LEGACY_DATASET_IDS } from './specs.js';

const SINGLE_TURN_DATASETS: readonly string[] = [
  DATASET_IDS.chatbotShort,
  DATASET_IDS.sharegpt,
  DATASET_IDS.sharegptStandIn,
  DATASET_IDS.longContext,
  DATASET_IDS.synthetic,
  DATASET_IDS.custom,
  DATASET_IDS.judgeQa,
];

/** Datasets whose prompt or output lengths are built with the tokenizer. */
const TOKEN_EXACT: readonly string[] = [
  DATASET_IDS.sharegpt,
  DATASET_IDS.synthetic,
  DATASET_IDS.longContext,
  DATASET_IDS.trace,
];

function contextLimit(context: PluginContext): number | null {
  const value = context.extra.maxModelLen ?? context.extra.contextTokens;
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Largest value a distribution flag can produce, or null when it does not parse (reported separately). */
function checkDistribution(
  context: PluginContext,
  key: string,
  fallback: string | number,
  errors: string[],
): number | null {
  const value = context.extra[key] ?? fallback;
  if (typeof value !== 'string' && typeof value !== 'number') {
    errors.push(`--${kebab(key)} must be a string or number`);
    return null;
  }
  try {
    const dist = parseDistribution(`--${kebab(key)}`, value);
    if (dist.type === 'hist-file') {
      if (!isFile(dist.file)) errors.push(`--${kebab(key)}: histogram file not found: ${dist.file}`);
      return null;
    }
    if (dist.type === 'fixed') return dist.tokens;
    if (dist.type === 'histogram') return Math.max(...dist.bins.map((b) => b.max));
    return dist.max;
  } catch (error) {
    errors.push((error as Error).message);
    return null;
  }
}

export function validateLlmInference(spec: BenchmarkSpec, context: PluginContext): ValidationResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const maxTokens = context.maxTokens ?? spec.defaultMaxTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    errors.push(`max tokens must be a positive integer (got ${maxTokens})`);
  const limit = contextLimit(context);
  if (limit !== null && maxTokens > limit)
    errors.push(`max tokens ${maxTokens} exceeds the model context of ${limit} tokens`);
  if (context.tokenizerPath && !existsSync(context.tokenizerPath))
    errors.push(`--tokenizer path not found: ${context.tokenizerPath}`);

  const asked =
    spec.kind === 'single-turn' ? (context.datasetId ?? spec.defaultDataset) : spec.defaultDataset;
  const dataset = currentDatasetId(asked);
  if (asked !== dataset && LEGACY_DATASET_IDS[asked] !== undefined)
    warnings.push(
      `dataset ${asked} is the old id of ours and InferenceBench's id for different prompts: running ours, ${dataset}`,
    );
  if (spec.kind === 'single-turn' && !SINGLE_TURN_DATASETS.includes(dataset))
    errors.push(
      `unknown dataset "${dataset}" for llm.inference.${spec.id}; known: ${SINGLE_TURN_DATASETS.join(', ')}`,
    );
  // Multi-turn and trace read files: --dataset may only name one of their own ids (as `bench replay`
  // passes the recorded one), never switch them to another dataset.
  const ownIds: Readonly<Record<string, readonly string[]>> = {
    [DATASET_IDS.multiTurn]: [DATASET_IDS.multiTurn, DATASET_IDS.multiTurnFile],
    [DATASET_IDS.trace]: [DATASET_IDS.trace, DATASET_IDS.traceSample],
  };
  if (
    spec.kind !== 'single-turn' &&
    context.datasetId &&
    !(ownIds[spec.defaultDataset] ?? [spec.defaultDataset]).includes(context.datasetId)
  )
    errors.push(
      `llm.inference.${spec.id} reads its data from --dataset-path, not --dataset ${context.datasetId}`,
    );

  const pathGiven = context.datasetPath !== undefined && context.datasetPath !== '';
  if (pathGiven && !isFile(context.datasetPath))
    errors.push(`--dataset-path not found: ${context.datasetPath}`);

  switch (dataset) {
    case DATASET_IDS.sharegpt:
    case DATASET_IDS.sharegptStandIn:
      if (!pathGiven && locateShareGpt(context).path === null)
        warnings.push(
          `ShareGPT V3 not found (no --dataset-path, nothing in the dataset cache): using the small generated stand-in ${SHAREGPT_STANDIN_NAME}; results are not comparable with ShareGPT runs`,
        );
      break;
    case DATASET_IDS.custom:
      if (!pathGiven)
        warnings.push(
          'no --dataset-path FILE.jsonl given: llm.inference.custom sends its 6-prompt built-in example (see docs/workloads.md for the format)',
        );
      break;
    case DATASET_IDS.synthetic:
    case DATASET_IDS.longContext: {
      const isl = checkDistribution(
        context,
        'inputTokens',
        dataset === DATASET_IDS.synthetic ? DEFAULTS.syntheticInput : DEFAULTS.longContextInput,
        errors,
      );
      const osl = checkDistribution(context, 'outputTokens', maxTokens, errors);
      if (limit !== null && isl !== null && osl !== null && isl + osl > limit)
        errors.push(`input (${isl}) + output (${osl}) tokens exceed the model context of ${limit} tokens`);
      break;
    }
    case DATASET_IDS.multiTurn:
      if (context.endpointType !== 'chat')
        errors.push('llm.inference.multi-turn needs the chat endpoint (sessions are message lists)');
      if (!pathGiven) {
        checkDistribution(context, 'turnsPerSession', DEFAULTS.turnsPerSession, errors);
        checkDistribution(context, 'thinkMs', DEFAULTS.thinkMs, errors);
      }
      break;
    case DATASET_IDS.trace:
      if (!pathGiven)
        warnings.push(
          'no --dataset-path trace given: replaying a generated 120-request sample trace at ~2 req/s (mooncake-trace-sample)',
        );
      break;
  }
  if (
    !context.tokenizerPath &&
    TOKEN_EXACT.includes(dataset) &&
    !/^(openai\/)?(gpt-|o\d)/i.test(context.model)
  )
    warnings.push(
      "no --tokenizer given: token lengths are built with the shipped fixture tokenizer, not the served model's",
    );
  return { warnings, errors };
}
