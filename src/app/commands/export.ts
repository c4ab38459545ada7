// bench export <envelope> [--format markdown|csv|slack] [--out PATH] [--metric KEY]...
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { envelopeIo, type EnvelopeIo } from '../report/envelopeIo.js';
import { getPath } from '../report/envelopeView.js';
import { renderExport, type ExportFormat } from '../report/exportFormats.js';

interface ExportFlags {
  format: ExportFormat;
  out?: string;
  metric: string[];
}

export async function runExport(
  path: string,
  flags: ExportFlags,
  io: EnvelopeIo = envelopeIo,
): Promise<string> {
  const loaded = await io.read(path);
  const metrics = getPath(loaded.envelope, 'metrics');
  const known = new Set(typeof metrics === 'object' && metrics !== null ? Object.keys(metrics) : []);
  const unknown = flags.metric.filter((m) => !known.has(m));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown metric ${unknown.map((m) => `"${m}"`).join(', ')} (the envelope has: ${[...known].sort().join(', ')})`,
      'E_EXPORT_METRIC',
    );
  return `${renderExport(flags.format, loaded.envelope, path, flags.metric, loaded.lossless)}\n`;
}

export function register(program: Command): void {
  program
    .command('export')
    .summary('render one envelope as markdown, CSV or a Slack message')
    .description('Render one envelope as markdown, CSV or a Slack message.')
    .argument('<envelope>', 'envelope file')
    .addOption(
      new Option('--format <format>', 'markdown, csv or slack')
        .choices(['markdown', 'csv', 'slack'])
        .default('markdown'),
    )
    .option('--out <path>', 'write to this file instead of stdout')
    .option(
      '--metric <key>',
      'only this metric (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (path: string, flags: ExportFlags) => {
      const text = await runExport(path, flags);
      if (flags.out) {
        await mkdir(dirname(flags.out), { recursive: true });
        await writeFile(flags.out, text);
        process.stderr.write(`wrote ${flags.out}\n`);
      } else {
        process.stdout.write(text);
      }
    });
}
