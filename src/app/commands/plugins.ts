// bench plugins [--json]: the discovered plugins (built-in first) with version, benchmarks and
// where each was loaded from; plugins that failed to load are listed with their path and reason.
import type { Command } from 'commander';
import { discoverPlugins, type DiscoveredPlugins } from '../../harness/plugins/index.js';
import { renderTable } from '../report/format.js';

export function pluginsJson(found: DiscoveredPlugins): object {
  return {
    plugins: found.plugins.map((p) => ({
      id: p.id,
      version: p.version,
      source: found.sources.get(p.id) ?? null,
      benchmarks: p.benchmarks.map((b) => b.id),
    })),
    failures: found.failures.map((f) => ({ path: f.path, reason: f.reason })),
  };
}

export function renderPlugins(found: DiscoveredPlugins): string {
  const lines: string[] = [];
  if (found.plugins.length === 0) lines.push('No plugins installed.');
  else
    lines.push(
      renderTable(
        [{ header: 'Plugin' }, { header: 'Version' }, { header: 'Benchmarks' }, { header: 'Source' }],
        found.plugins.map((p) => [
          p.id,
          p.version,
          p.benchmarks.map((b) => b.id).join(', '),
          found.sources.get(p.id) ?? '',
        ]),
      ),
    );
  if (found.failures.length > 0) {
    lines.push('', `Failed to load (${found.failures.length}):`);
    for (const f of found.failures) lines.push(`  ${f.path}`, `    ${f.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('plugins')
    .summary('list discovered benchmark plugins')
    .description('List discovered benchmark plugins (built-in, project and global node_modules).')
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { json?: boolean }) => {
      const found = await discoverPlugins();
      process.stdout.write(
        flags.json ? `${JSON.stringify(pluginsJson(found), null, 2)}\n` : renderPlugins(found),
      );
    });
}
