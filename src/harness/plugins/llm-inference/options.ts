// Reads llm.inference's workload options from PluginContext.extra (CLI flags forwarded by the app),
// with their defaults. Keys are camelCase flag names: --input-tokens → extra.inputTokens.
import type { BenchmarkSpec, PluginContext } from '../types.js';
import { loadDistribution, type LengthDistribution } from './distributions.js';
import { PluginError } from '../errors.js';

export const DEFAULTS = {
  syntheticInput: 'fixed:512',
  syntheticPrompts: 100,
  longContextInput: 'fixed:8192',
  longContextPrompts: 16,
  sessions: 100,
  turnsPerSession: 'uniform:2,5',
  thinkMs: 'uniform:200,1000',
} as const;

function raw(context: PluginContext, key: string): string | number | undefined {
  const value = context.extra[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new PluginError(`option ${key} must be a string or number`, 'E_OPTION');
}

export function intOption(context: PluginContext, key: string, fallback: number, min = 0): number {
  const value = raw(context, key);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new PluginError(`--${kebab(key)} must be an integer ≥ ${min} (got ${value})`, 'E_OPTION');
  return n;
}

export function boolOption(context: PluginContext, key: string, fallback: boolean): boolean {
  const value = context.extra[key];
  if (value === undefined) return fallback;
  return !(value === false || value === 0 || value === 'false' || value === '0' || value === 'no');
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function distributionOption(
  context: PluginContext,
  key: string,
  fallback: string | number,
): Promise<LengthDistribution> {
  return loadDistribution(`--${kebab(key)}`, raw(context, key) ?? fallback);
}

export function maxTokensOf(spec: BenchmarkSpec, context: PluginContext): number {
  return context.maxTokens ?? spec.defaultMaxTokens;
}
