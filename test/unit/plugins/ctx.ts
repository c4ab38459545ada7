// Shared helpers for llm.inference loader tests.
import { fileURLToPath } from 'node:url';
import { llmInferencePlugin, resolveSuite } from '../../../src/harness/plugins/index.js';
import type {
  BenchmarkSpec,
  MultiTurnWorkload,
  PluginContext,
  SingleTurnWorkload,
  TraceWorkload,
  Workload,
} from '../../../src/harness/plugins/types.js';

export const DATASETS = fileURLToPath(new URL('../../../fixtures/datasets/', import.meta.url));

export function ctx(over: Partial<PluginContext> = {}): PluginContext {
  return { seed: 42, model: 'sim-8b', engine: 'sim', endpointType: 'chat', extra: {}, ...over };
}

export function spec(id: string): BenchmarkSpec {
  return resolveSuite([llmInferencePlugin], `llm.inference.${id}`).spec;
}

export function load(id: string, over: Partial<PluginContext> = {}): Promise<Workload> {
  return llmInferencePlugin.loadWorkload(spec(id), ctx(over));
}

export async function loadSingle(id: string, over: Partial<PluginContext> = {}): Promise<SingleTurnWorkload> {
  const w = await load(id, over);
  if (w.kind !== 'single-turn') throw new Error(`expected single-turn, got ${w.kind}`);
  return w;
}

export async function loadTraceW(over: Partial<PluginContext> = {}): Promise<TraceWorkload> {
  const w = await load('trace', over);
  if (w.kind !== 'trace') throw new Error(`expected trace, got ${w.kind}`);
  return w;
}

export async function loadSessions(over: Partial<PluginContext> = {}): Promise<MultiTurnWorkload> {
  const w = await load('multi-turn', over);
  if (w.kind !== 'multi-turn') throw new Error(`expected multi-turn, got ${w.kind}`);
  return w;
}

/** Runs `fn` and returns the thrown error (fails the test if nothing is thrown). */
export async function caught(
  fn: () => Promise<unknown>,
): Promise<{ code: string; message: string; exitCode: number }> {
  try {
    await fn();
  } catch (error) {
    return error as { code: string; message: string; exitCode: number };
  }
  throw new Error('expected an error');
}
