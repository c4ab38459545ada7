// Plugin discovery: the built-in llm.inference first, then every package under the project's
// node_modules (cwd, and this package's own), and the global node_modules, whose package.json
// declares `"inferencebench": {"plugins": ["./dist/plugin.js", …]}`. A module that fails to load
// or has the wrong shape becomes a failure with its path and reason; the others still work.
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { llmInferencePlugin } from './llm-inference/plugin.js';
import { pluginShapeProblem } from './shape.js';
import type { BenchPlugin } from './types.js';

export interface PluginFailure {
  /** The module (or package.json) that failed. */
  readonly path: string;
  readonly reason: string;
}

export interface DiscoveredPlugins {
  readonly plugins: BenchPlugin[];
  readonly failures: PluginFailure[];
  /** Where each plugin came from: "builtin" or the module's absolute path. Keyed by plugin id. */
  readonly sources: ReadonlyMap<string, string>;
}

export interface DiscoverOptions {
  /** node_modules directories to scan, in order. Defaults to `defaultSearchRoots()`. */
  readonly searchRoots?: readonly string[];
  /** Leave out the built-in llm.inference plugin (tests of "no plugins installed"). */
  readonly includeBuiltin?: boolean;
}

export const BUILTIN_SOURCE = 'builtin';

/** The directory holding this package's package.json (works from src/ and from the bundle). */
function ownPackageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
        if (parsed.name === 'inferencebench') return dir;
      } catch {
        // keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** `npm root -g` without spawning npm: <prefix>/lib/node_modules, prefix derived from the node binary. */
export function globalNodeModules(): string {
  const prefix = process.env.npm_config_prefix ?? dirname(dirname(process.execPath));
  return process.platform === 'win32' ? join(prefix, 'node_modules') : join(prefix, 'lib', 'node_modules');
}

/**
 * Where plugins are looked for, in order: $INFERENCEBENCH_PLUGIN_PATH (extra node_modules
 * directories, ':'-separated), the cwd's node_modules, this package's own, and the global one.
 */
export function defaultSearchRoots(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.INFERENCEBENCH_PLUGIN_PATH ?? '').split(delimiter).filter((p) => p !== '');
  const roots = [...extra, join(cwd, 'node_modules')];
  const own = ownPackageRoot();
  if (own) roots.push(join(own, 'node_modules'));
  roots.push(globalNodeModules());
  return roots;
}

function packageDirs(nodeModules: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(nodeModules);
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      let scoped: string[] = [];
      try {
        scoped = readdirSync(join(nodeModules, name));
      } catch {
        continue;
      }
      for (const inner of scoped.sort()) dirs.push(join(nodeModules, name, inner));
    } else {
      dirs.push(join(nodeModules, name));
    }
  }
  return dirs;
}

interface Declared {
  readonly manifest: string;
  readonly modules: string[];
  readonly problem: string | null;
}

function readDeclaration(packageDir: string): Declared | null {
  const manifest = join(packageDir, 'package.json');
  let text: string;
  try {
    text = readFileSync(manifest, 'utf8');
  } catch {
    return null;
  }
  // Cheap pre-filter: most packages never mention us.
  if (!text.includes('"inferencebench"')) return null;
  let parsed: { inferencebench?: { plugins?: unknown } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    return { manifest, modules: [], problem: `package.json is not valid JSON: ${(error as Error).message}` };
  }
  const section = parsed.inferencebench;
  if (section === undefined) return null;
  const list = section?.plugins;
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string'))
    return { manifest, modules: [], problem: '"inferencebench.plugins" must be an array of module paths' };
  return { manifest, modules: (list as string[]).map((entry) => resolve(packageDir, entry)), problem: null };
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

async function loadModule(modulePath: string): Promise<{ plugin: BenchPlugin } | { reason: string }> {
  if (!existsSync(modulePath)) return { reason: 'module file not found' };
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { reason: `import failed: ${message.split('\n')[0]}` };
  }
  if (!('default' in loaded) || loaded.default === undefined)
    return { reason: 'module has no default export' };
  const problem = pluginShapeProblem(loaded.default);
  if (problem) return { reason: `not a BenchPlugin: ${problem}` };
  return { plugin: loaded.default as BenchPlugin };
}

export async function discoverPlugins(options: DiscoverOptions = {}): Promise<DiscoveredPlugins> {
  const plugins: BenchPlugin[] = [];
  const failures: PluginFailure[] = [];
  const sources = new Map<string, string>();
  if (options.includeBuiltin !== false) {
    plugins.push(llmInferencePlugin);
    sources.set(llmInferencePlugin.id, BUILTIN_SOURCE);
  }
  const seenPackages = new Set<string>();
  const seenModules = new Set<string>();
  const seenRoots = new Set<string>();
  for (const root of options.searchRoots ?? defaultSearchRoots()) {
    const realRoot = realpathOr(root);
    if (seenRoots.has(realRoot)) continue;
    seenRoots.add(realRoot);
    for (const dir of packageDirs(root)) {
      const realDir = realpathOr(dir);
      if (seenPackages.has(realDir)) continue;
      seenPackages.add(realDir);
      const declared = readDeclaration(dir);
      if (!declared) continue;
      if (declared.problem) {
        failures.push({ path: declared.manifest, reason: declared.problem });
        continue;
      }
      for (const modulePath of declared.modules) {
        const realModule = realpathOr(modulePath);
        if (seenModules.has(realModule)) continue;
        seenModules.add(realModule);
        const result = await loadModule(modulePath);
        if ('reason' in result) {
          failures.push({ path: modulePath, reason: result.reason });
          continue;
        }
        const existing = sources.get(result.plugin.id);
        if (existing !== undefined) {
          failures.push({
            path: modulePath,
            reason: `duplicate plugin id "${result.plugin.id}" (already loaded from ${existing})`,
          });
          continue;
        }
        plugins.push(result.plugin);
        sources.set(result.plugin.id, modulePath);
      }
    }
  }
  return { plugins, failures, sources };
}
