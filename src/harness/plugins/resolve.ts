// Suite ids: `<plugin-id>` (its first benchmark) or `<plugin-id>.<benchmark-id>`. Plugin ids
// contain dots themselves, so the longest plugin id that prefixes the suite id wins.
import { UnknownSuiteError } from './errors.js';
import type { BenchPlugin, BenchmarkSpec } from './types.js';

export interface ResolvedSuite {
  readonly plugin: BenchPlugin;
  readonly spec: BenchmarkSpec;
  /** Canonical `<plugin.id>.<spec.id>`. */
  readonly suiteId: string;
  /** True when only the plugin id was given (so `--all-benchmarks` applies to all of plugin.benchmarks). */
  readonly pluginOnly: boolean;
}

/** Every id `bench run` accepts: each plugin id and each `<plugin>.<benchmark>`. */
export function knownSuiteIds(plugins: readonly BenchPlugin[]): string[] {
  const ids: string[] = [];
  for (const plugin of plugins) {
    ids.push(plugin.id);
    for (const spec of plugin.benchmarks) ids.push(`${plugin.id}.${spec.id}`);
  }
  return ids;
}

export function resolveSuite(plugins: readonly BenchPlugin[], suiteId: string): ResolvedSuite {
  let best: BenchPlugin | null = null;
  for (const plugin of plugins) {
    if (suiteId === plugin.id || suiteId.startsWith(`${plugin.id}.`)) {
      if (!best || plugin.id.length > best.id.length) best = plugin;
    }
  }
  if (best) {
    if (suiteId === best.id) {
      const spec = best.benchmarks[0];
      if (spec) return { plugin: best, spec, suiteId: `${best.id}.${spec.id}`, pluginOnly: true };
    } else {
      const rest = suiteId.slice(best.id.length + 1);
      const spec = best.benchmarks.find((candidate) => candidate.id === rest);
      if (spec) return { plugin: best, spec, suiteId, pluginOnly: false };
    }
  }
  throw new UnknownSuiteError(suiteId, knownSuiteIds(plugins));
}
