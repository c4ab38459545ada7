// llm.inference's validate(spec, context): problems found before any request is sent.
import type { BenchmarkSpec, PluginContext, ValidationResult } from '../types.js';

function contextLimit(context: PluginContext): number | null {
  const value = context.extra.maxModelLen ?? context.extra.contextTokens;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
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
  return { warnings, errors };
}
