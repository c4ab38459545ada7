import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUILTIN_SOURCE,
  discoverPlugins,
  defaultSearchRoots,
  globalNodeModules,
  llmInferencePlugin,
} from '../../../src/harness/plugins/index.js';
import { makeTempProject, type TempProject } from './helpers.js';

let project: TempProject | null = null;
afterEach(() => {
  project?.cleanup();
  project = null;
});

function installAll(): TempProject {
  const p = makeTempProject();
  p.install('good', 'inferencebench-plugin-acme');
  p.install('scoped', '@acme/inferencebench-embeddings');
  p.install('broken', 'inferencebench-plugin-broken');
  p.install('badshape', 'inferencebench-plugin-badshape');
  p.install('duplicate', 'inferencebench-plugin-acme-fork');
  // An ordinary package that does not declare itself is ignored.
  mkdirSync(join(p.nodeModules, 'left-pad'));
  writeFileSync(join(p.nodeModules, 'left-pad', 'package.json'), '{"name":"left-pad","version":"1.0.0"}');
  return p;
}

describe('discoverPlugins', () => {
  it('finds the built-in first, then good packages, and reports broken ones with path and reason', async () => {
    project = installAll();
    const found = await discoverPlugins({ searchRoots: [project.nodeModules] });
    expect(found.plugins.map((p) => p.id)).toEqual(['llm.inference', 'acme.rag.embed', 'acme.rag']);
    expect(found.plugins[0]).toBe(llmInferencePlugin);
    expect(found.sources.get('llm.inference')).toBe(BUILTIN_SOURCE);
    expect(found.sources.get('acme.rag')).toBe(
      join(project.nodeModules, 'inferencebench-plugin-acme', 'dist', 'plugin.js'),
    );
    const byPath = new Map(found.failures.map((f) => [f.path, f.reason]));
    expect(found.failures).toHaveLength(4);
    const broken = join(project.nodeModules, 'inferencebench-plugin-broken', 'dist', 'plugin.js');
    expect(byPath.get(broken)).toMatch(
      /^import failed: .*inferencebench-fixture-dependency-that-does-not-exist/,
    );
    const badshape = join(project.nodeModules, 'inferencebench-plugin-badshape', 'dist');
    expect(byPath.get(join(badshape, 'plugin.js'))).toMatch(
      /not a BenchPlugin: version "latest" is not semver/,
    );
    expect(byPath.get(join(badshape, 'missing.js'))).toBe('module file not found');
    const fork = join(project.nodeModules, 'inferencebench-plugin-acme-fork', 'dist', 'plugin.js');
    expect(byPath.get(fork)).toMatch(
      /duplicate plugin id "acme.rag" \(already loaded from .*inferencebench-plugin-acme\/dist\/plugin.js\)/,
    );
  });

  it('loads a good plugin whose workload works', async () => {
    project = makeTempProject();
    project.install('good', 'inferencebench-plugin-acme');
    const found = await discoverPlugins({ searchRoots: [project.nodeModules] });
    expect(found.failures).toEqual([]);
    const acme = found.plugins.find((p) => p.id === 'acme.rag')!;
    expect(acme.version).toBe('0.3.1');
    const workload = await acme.loadWorkload(acme.benchmarks[0]!, {
      seed: 1,
      model: 'm',
      engine: 'sim',
      endpointType: 'completions',
      extra: {},
    });
    expect(workload.kind).toBe('single-turn');
    if (workload.kind === 'single-turn') expect(workload.request(3).prompt).toBe('Summarise the context.');
  });

  it('reports a plugin that reuses the built-in id as a duplicate', async () => {
    project = makeTempProject();
    const dir = project.install('duplicate', 'inferencebench-plugin-impostor');
    writeFileSync(
      join(dir, 'dist', 'plugin.js'),
      "import base from './base.js';\nexport default { ...base, id: 'llm.inference' };\n",
    );
    writeFileSync(
      join(dir, 'dist', 'base.js'),
      "export default { version: '1.0.0', benchmarks: [{ id: 'x', description: '', modality: 'text', kind: 'single-turn', driver: 'closed_loop', defaultDataset: 'd', defaultSloTemplate: 'llm.standard', defaultMaxTokens: 8 }], validate: () => ({ warnings: [], errors: [] }), loadWorkload: async () => null };\n",
    );
    const found = await discoverPlugins({ searchRoots: [project.nodeModules] });
    expect(found.plugins.map((p) => p.id)).toEqual(['llm.inference']);
    expect(found.failures[0]!.reason).toBe(
      'duplicate plugin id "llm.inference" (already loaded from builtin)',
    );
  });

  it('reports a package.json whose inferencebench.plugins is not a list', async () => {
    project = makeTempProject();
    const dir = join(project.nodeModules, 'inferencebench-plugin-typo');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{"name":"x","inferencebench":{"plugins":"./dist/plugin.js"}}');
    const found = await discoverPlugins({ searchRoots: [project.nodeModules] });
    expect(found.failures).toEqual([
      {
        path: join(dir, 'package.json'),
        reason: '"inferencebench.plugins" must be an array of module paths',
      },
    ]);
  });

  it('scans the same directory once even when listed twice, and tolerates missing roots', async () => {
    project = makeTempProject();
    project.install('good', 'inferencebench-plugin-acme');
    const found = await discoverPlugins({
      searchRoots: [project.nodeModules, project.nodeModules, join(project.root, 'nope', 'node_modules')],
    });
    expect(found.plugins.map((p) => p.id)).toEqual(['llm.inference', 'acme.rag']);
    expect(found.failures).toEqual([]);
  });

  it('can leave the built-in out (no plugins installed)', async () => {
    project = makeTempProject();
    const found = await discoverPlugins({ searchRoots: [project.nodeModules], includeBuiltin: false });
    expect(found.plugins).toEqual([]);
  });

  it('default roots: cwd node_modules, this package, and the global prefix derived from the node binary', () => {
    const roots = defaultSearchRoots('/some/project', {});
    expect(roots[0]).toBe('/some/project/node_modules');
    expect(roots.at(-1)).toBe(globalNodeModules());
    expect(globalNodeModules()).toMatch(/lib\/node_modules$/);
  });

  it('INFERENCEBENCH_PLUGIN_PATH adds node_modules directories ahead of the defaults', () => {
    const roots = defaultSearchRoots('/p', { INFERENCEBENCH_PLUGIN_PATH: '/a/node_modules:/b/node_modules' });
    expect(roots.slice(0, 3)).toEqual(['/a/node_modules', '/b/node_modules', '/p/node_modules']);
  });
});
