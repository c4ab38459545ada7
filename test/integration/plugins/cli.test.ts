// Spawns the real CLI (src/app/main.ts through tsx; a stale dist/ bundle must not answer) in a temporary project whose node_modules holds the fixture
// plugin packages: `bench plugins` and `bench list` discover them from the cwd.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRows, renderList } from '../../../src/app/commands/list.js';
import { pluginsJson, renderPlugins } from '../../../src/app/commands/plugins.js';
import { discoverPlugins } from '../../../src/harness/plugins/index.js';
import { makeTempProject, type TempProject } from '../../unit/plugins/helpers.js';

const MAIN = fileURLToPath(new URL('../../../src/app/main.ts', import.meta.url));
const TSX = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

function bench(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.INFERENCEBENCH_PLUGIN_PATH;
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, ...args],
      { cwd, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

type Result = Awaited<ReturnType<typeof bench>>;
let project: TempProject;
let plugins: Result;
let list: Result;
let unknown: Result;
beforeAll(async () => {
  project = makeTempProject();
  project.install('good', 'inferencebench-plugin-acme');
  project.install('broken', 'inferencebench-plugin-broken');
  project.install('duplicate', 'inferencebench-plugin-acme-fork');
  // Three CLI processes in parallel (each loads the whole CLI through tsx).
  [plugins, list, unknown] = await Promise.all([
    bench(['plugins'], project.root),
    bench(['list'], project.root),
    bench(['list', '--plugin', 'acme.nope'], project.root),
  ]);
}, 120_000);
afterAll(() => project.cleanup());

describe('bench plugins / bench list (CLI)', () => {
  it('bench plugins: table of plugins with source, then failures with path and reason', () => {
    const { code, stdout } = plugins;
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^Plugin\s+Version\s+Benchmarks\s+Source$/);
    expect(lines[2]).toMatch(/^llm\.inference\s+1\.0\.0\s+chatbot-short, sharegpt-v3, .*\s+builtin$/);
    expect(lines[3]).toMatch(
      /^acme\.rag\s+0\.3\.1\s+rag-small, rag-large\s+.*inferencebench-plugin-acme\/dist\/plugin\.js$/,
    );
    expect(stdout).toContain('Failed to load (2):');
    expect(stdout).toContain(join(project.nodeModules, 'inferencebench-plugin-broken', 'dist', 'plugin.js'));
    expect(stdout).toMatch(/import failed: .*inferencebench-fixture-dependency-that-does-not-exist/);
    expect(stdout).toMatch(/duplicate plugin id "acme.rag"/);
  });

  it('bench plugins --json shape', async () => {
    const found = await discoverPlugins({ searchRoots: [project.nodeModules] });
    const parsed = JSON.parse(JSON.stringify(pluginsJson(found))) as {
      plugins: { id: string; source: string; benchmarks: string[] }[];
      failures: unknown[];
    };
    expect(parsed.plugins.map((p) => p.id)).toEqual(['llm.inference', 'acme.rag']);
    expect(parsed.plugins[0]!.source).toBe('builtin');
    expect(parsed.plugins[1]!.benchmarks).toEqual(['rag-small', 'rag-large']);
    expect(parsed.failures).toHaveLength(2);
  });

  it('bench list: every benchmark with the reference columns; failures are warnings on stderr', () => {
    const { code, stdout, stderr } = list;
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(
      /^Plugin\s+Benchmark ID\s+Modality\s+Kind\s+Driver\s+Dataset\s+Description$/,
    );
    expect(stdout).toMatch(
      /llm\.inference\s+llm\.inference\.chatbot-short\s+text\s+single-turn\s+closed_loop\s+builtin-chatbot-short-node/,
    );
    expect(stdout).toMatch(
      /llm\.inference\s+llm\.inference\.sharegpt-v3\s+text\s+single-turn\s+open_loop\s+sharegpt-v3/,
    );
    expect(stdout).toMatch(
      /acme\.rag\s+acme\.rag\.rag-large\s+text\s+single-turn\s+open_loop\s+acme-rag-large/,
    );
    expect(stderr).toMatch(/warning: plugin at .*inferencebench-plugin-broken.* failed to load/);
  });

  it('bench list --plugin acme.rag --json rows', async () => {
    const found = await discoverPlugins({ searchRoots: [project.nodeModules] });
    const rows = listRows(found.plugins.filter((p) => p.id === 'acme.rag'));
    expect(rows.map((r) => [r.suite_id, r.driver, r.plugin_version])).toEqual([
      ['acme.rag.rag-small', 'closed_loop', '0.3.1'],
      ['acme.rag.rag-large', 'open_loop', '0.3.1'],
    ]);
  });

  it('bench list --plugin unknown → exit 1 naming the installed plugins', () => {
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown plugin "acme.nope"; installed: llm.inference, acme.rag');
  });

  it('no plugins → "No plugins installed."', () => {
    expect(renderList(listRows([]))).toBe('No plugins installed.\n');
    expect(renderPlugins({ plugins: [], failures: [], sources: new Map() })).toBe('No plugins installed.\n');
  });
});
