// The built-in llm.inference plugin: the same BenchPlugin interface third-party plugins implement.
import { PluginError } from '../errors.js';
import type { BenchPlugin, BenchmarkSpec, PluginContext, ValidationResult, Workload } from '../types.js';
import { loadChatbotShort } from './chatbot-short.js';
import { LLM_INFERENCE_ID, LLM_INFERENCE_SPECS, LLM_INFERENCE_VERSION } from './specs.js';
import { validateLlmInference } from './validate.js';

function maxTokensFor(spec: BenchmarkSpec, context: PluginContext): number {
  return context.maxTokens ?? spec.defaultMaxTokens;
}

async function loadWorkload(spec: BenchmarkSpec, context: PluginContext): Promise<Workload> {
  switch (spec.id) {
    case 'chatbot-short':
      return loadChatbotShort(context, maxTokensFor(spec, context));
    default:
      throw new PluginError(`llm.inference has no benchmark "${spec.id}"`, 'E_SUITE_UNKNOWN');
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
