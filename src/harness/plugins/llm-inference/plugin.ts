// The built-in llm.inference plugin: the same BenchPlugin interface third-party plugins implement.
import { loadTokenizer } from '../../tokenizer/load.js';
import type { TokenCounter } from '../../tokenizer/types.js';
import { PluginError } from '../errors.js';
import type { BenchPlugin, BenchmarkSpec, PluginContext, ValidationResult, Workload } from '../types.js';
import { loadChatbotShort } from './chatbot-short.js';
import { loadCustom } from './custom.js';
import { loadJudgeQa } from './judge-qa.js';
import { loadMultiTurn } from './multi-turn.js';
import { loadTrace } from './mooncake.js';
import { boolOption, DEFAULTS, distributionOption, intOption, maxTokensOf } from './options.js';
import { loadShareGpt, SHAREGPT_DEFAULT_TURNS } from './sharegpt.js';
import {
  currentDatasetId,
  DATASET_IDS,
  LLM_INFERENCE_ID,
  LLM_INFERENCE_SPECS,
  LLM_INFERENCE_VERSION,
} from './specs.js';
import { syntheticWorkload } from './synthetic.js';
import { validateLlmInference } from './validate.js';

const LONG_CONTEXT_PREAMBLE = 'Read the following notes, then summarise them in three sentences.\n\n';

function tokenizerFor(context: PluginContext): Promise<TokenCounter> {
  return loadTokenizer({
    ...(context.tokenizerPath ? { path: context.tokenizerPath } : {}),
    ...(context.model ? { model: context.model } : {}),
  });
}

/** Single-turn benchmarks may swap their dataset with --dataset; multi-turn and trace may not. */
export function datasetFor(spec: BenchmarkSpec, context: PluginContext): string {
  return currentDatasetId(context.datasetId ?? spec.defaultDataset);
}

async function loadSingleTurn(
  datasetId: string,
  spec: BenchmarkSpec,
  context: PluginContext,
): Promise<Workload> {
  const maxTokens = maxTokensOf(spec, context);
  switch (datasetId) {
    case DATASET_IDS.chatbotShort:
      return loadChatbotShort(context, maxTokens);
    case DATASET_IDS.sharegpt:
    case DATASET_IDS.sharegptStandIn:
      return loadShareGpt(context, await tokenizerFor(context), {
        maxTokensCap: maxTokens,
        limit: intOption(context, 'maxTurns', SHAREGPT_DEFAULT_TURNS, 1),
      });
    case DATASET_IDS.judgeQa:
      return loadJudgeQa(context, maxTokens);
    case DATASET_IDS.custom:
      return loadCustom(context, maxTokens);
    case DATASET_IDS.synthetic:
      return syntheticWorkload(context, await tokenizerFor(context), {
        datasetId: DATASET_IDS.synthetic,
        input: await distributionOption(context, 'inputTokens', DEFAULTS.syntheticInput),
        output: await distributionOption(context, 'outputTokens', maxTokens),
        numPrompts: intOption(context, 'numPrompts', DEFAULTS.syntheticPrompts, 1),
        prefixTokens: intOption(context, 'prefixTokens', 0),
        numPrefixes: intOption(context, 'numPrefixes', 1, 1),
        ignoreEos: boolOption(context, 'ignoreEos', true),
      });
    case DATASET_IDS.longContext:
      return syntheticWorkload(context, await tokenizerFor(context), {
        datasetId: DATASET_IDS.longContext,
        input: await distributionOption(context, 'inputTokens', DEFAULTS.longContextInput),
        output: await distributionOption(context, 'outputTokens', maxTokens),
        numPrompts: intOption(context, 'numPrompts', DEFAULTS.longContextPrompts, 1),
        prefixTokens: intOption(context, 'prefixTokens', 0),
        numPrefixes: intOption(context, 'numPrefixes', 1, 1),
        ignoreEos: boolOption(context, 'ignoreEos', false),
        preamble: LONG_CONTEXT_PREAMBLE,
      });
    default:
      throw new PluginError(`llm.inference.${spec.id}: unknown dataset "${datasetId}"`, 'E_DATASET_UNKNOWN');
  }
}

async function loadWorkload(spec: BenchmarkSpec, context: PluginContext): Promise<Workload> {
  switch (spec.kind) {
    case 'multi-turn':
      return loadMultiTurn(context, {
        numSessions: intOption(context, 'numSessions', DEFAULTS.sessions, 1),
        turns: await distributionOption(context, 'turnsPerSession', DEFAULTS.turnsPerSession),
        thinkMs: await distributionOption(context, 'thinkMs', DEFAULTS.thinkMs),
        maxTokens: maxTokensOf(spec, context),
      });
    case 'trace':
      return loadTrace(context, await tokenizerFor(context), {
        blockTokens: intOption(context, 'blockTokens', 512, 1),
        ignoreEos: boolOption(context, 'ignoreEos', true),
      });
    case 'single-turn':
      return loadSingleTurn(datasetFor(spec, context), spec, context);
  }
}

export const llmInferencePlugin: BenchPlugin = Object.freeze({
  id: LLM_INFERENCE_ID,
  version: LLM_INFERENCE_VERSION,
  benchmarks: LLM_INFERENCE_SPECS,
  validate: (spec: BenchmarkSpec, context: PluginContext): ValidationResult =>
    validateLlmInference(spec, context),
  loadWorkload,
});
