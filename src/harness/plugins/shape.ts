// Validates that a plugin module's default export has the BenchPlugin shape before it is used.
// Returns a reason string (for the failures list) or null when the plugin is well-formed.
import type { BenchPlugin } from './types.js';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const PLUGIN_ID = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;
const BENCH_ID = /^[a-z0-9][a-z0-9_-]*$/;
const KINDS = new Set(['single-turn', 'multi-turn', 'trace']);
const DRIVERS = new Set(['closed_loop', 'open_loop', 'trace']);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function specProblem(spec: unknown, index: number): string | null {
  if (spec === null || typeof spec !== 'object') return `benchmarks[${index}] is ${describe(spec)}`;
  const s = spec as Record<string, unknown>;
  const where = `benchmarks[${index}]${typeof s.id === 'string' ? ` (${s.id})` : ''}`;
  if (typeof s.id !== 'string' || !BENCH_ID.test(s.id))
    return `${where}: id must be a lower-case slug without dots`;
  if (typeof s.description !== 'string') return `${where}: description must be a string`;
  if (s.modality !== 'text') return `${where}: modality must be "text"`;
  if (typeof s.kind !== 'string' || !KINDS.has(s.kind))
    return `${where}: kind must be one of ${[...KINDS].join(', ')}`;
  if (typeof s.driver !== 'string' || !DRIVERS.has(s.driver))
    return `${where}: driver must be one of ${[...DRIVERS].join(', ')}`;
  if ((s.kind === 'trace') !== (s.driver === 'trace'))
    return `${where}: driver trace goes with kind trace (a timestamped trace is its own load)`;
  if (typeof s.defaultDataset !== 'string') return `${where}: defaultDataset must be a string`;
  if (typeof s.defaultSloTemplate !== 'string') return `${where}: defaultSloTemplate must be a string`;
  if (
    typeof s.defaultMaxTokens !== 'number' ||
    !Number.isInteger(s.defaultMaxTokens) ||
    s.defaultMaxTokens < 1
  )
    return `${where}: defaultMaxTokens must be a positive integer`;
  return null;
}

/** Why `value` is not a usable BenchPlugin, or null when it is one. */
export function pluginShapeProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object')
    return `default export is ${describe(value)}, not a plugin object`;
  const p = value as Record<string, unknown>;
  if (typeof p.id !== 'string' || !PLUGIN_ID.test(p.id))
    return 'id must be a dotted lower-case name like "acme.rag"';
  if (typeof p.version !== 'string' || !SEMVER.test(p.version))
    return `version ${JSON.stringify(p.version)} is not semver`;
  if (!Array.isArray(p.benchmarks) || p.benchmarks.length === 0)
    return 'benchmarks must be a non-empty array';
  const seen = new Set<string>();
  for (let i = 0; i < p.benchmarks.length; i++) {
    const problem = specProblem(p.benchmarks[i], i);
    if (problem) return problem;
    const id = (p.benchmarks[i] as { id: string }).id;
    if (seen.has(id)) return `benchmark id "${id}" appears twice`;
    seen.add(id);
  }
  if (typeof p.validate !== 'function') return 'validate must be a function';
  if (typeof p.loadWorkload !== 'function') return 'loadWorkload must be a function';
  return null;
}

export function isBenchPlugin(value: unknown): value is BenchPlugin {
  return pluginShapeProblem(value) === null;
}
