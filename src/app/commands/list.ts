// bench list [--plugin NAME] [--json]: every benchmark of every installed plugin.
// Unknown plugin → exit 1; no plugins → "No plugins installed." (exit 0); a plugin that failed to
// load is a warning on stderr and the rest still render.
import type { Command } from 'commander';
import { discoverPlugins, type BenchPlugin } from '../../harness/plugins/index.js';
import { renderTable } from '../report/format.js';

export interface ListRow {
  readonly plugin: string;
  readonly plugin_version: string;
  readonly benchmark_id: string;
  readonly suite_id: string;
  readonly modality: string;
  readonly kind: string;
  readonly driver: string;
  readonly dataset: string;
  readonly default_slo_template: string;
  readonly default_max_tokens: number;
  readonly description: string;
}

export function listRows(plugins: readonly BenchPlugin[]): ListRow[] {
  return plugins.flatMap((p) =>
    p.benchmarks.map((b) => ({
      plugin: p.id,
      plugin_version: p.version,
      benchmark_id: b.id,
      suite_id: `${p.id}.${b.id}`,
      modality: b.modality,
      kind: b.kind,
      driver: b.driver,
      dataset: b.defaultDataset,
      default_slo_template: b.defaultSloTemplate,
      default_max_tokens: b.defaultMaxTokens,
      description: b.description,
    })),
  );
}

export function renderList(rows: readonly ListRow[]): string {
  if (rows.length === 0) return 'No plugins installed.\n';
  return `${renderTable(
    [
      { header: 'Plugin' },
      { header: 'Benchmark ID' },
      { header: 'Modality' },
      { header: 'Kind' },
      { header: 'Driver' },
      { header: 'Dataset' },
      { header: 'Description' },
    ],
    rows.map((r) => [r.plugin, r.suite_id, r.modality, r.kind, r.driver, r.dataset, r.description]),
  )}\n`;
}

export function register(program: Command): void {
  program
    .command('list')
    .summary('list the benchmarks of every installed plugin')
    .description('List the benchmarks of every installed plugin.')
    .option('--plugin <name>', 'only this plugin')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { plugin?: string; json?: boolean }) => {
      const found = await discoverPlugins();
      for (const failure of found.failures)
        process.stderr.write(`bench: warning: plugin at ${failure.path} failed to load: ${failure.reason}\n`);
      let plugins = found.plugins;
      if (flags.plugin !== undefined) {
        plugins = plugins.filter((p) => p.id === flags.plugin);
        if (plugins.length === 0) {
          const known = found.plugins.map((p) => p.id).join(', ') || '(none)';
          process.stderr.write(`bench: unknown plugin "${flags.plugin}"; installed: ${known}\n`);
          process.exitCode = 1;
          return;
        }
      }
      const rows = listRows(plugins);
      process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : renderList(rows));
    });
}
