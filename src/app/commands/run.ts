// `bench run`. Only what registering and parsing the flags needs is imported up front; the run's
// own code (plugins, envelope, engine, harness) loads once the live console shows its first frame
// (issue 18: within 300 ms of start).
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { devKeyForRun } from '../dev-key.js';
import { DEFAULTS } from '../run/defaults.js';
import { mountEarlyConsole, releaseEarlyConsole } from '../run/early-console.js';
import { attributeOf, RUN_FLAGS, type FlagRow } from '../run/flags.js';
import { parseRunFlags, type RawRunFlags, type RunConfig } from '../run/options.js';
import { useLiveConsole } from '../run/presenter.js';

/** One commander option from a flag-table row (help on one line; choices checked by commander too). */
export function commanderOption(row: FlagRow): Option {
  const flags = row.negatable ? `--no-${row.name}` : `--${row.name}${row.arg ? ` ${row.arg}` : ''}`;
  const range = row.range ? ` [${row.range.minExclusive ? '>' : ''}${row.range.min}..${row.range.max}]` : '';
  const option = new Option(flags, `${row.help}${range}`);
  if (row.choices) option.choices(row.choices);
  if (row.default !== undefined) option.default(row.default);
  return option;
}

/** `--report html`: the page of this run's envelopes, next to them (docs/report.md). */
async function writeRunReport(outputDir: string, paths: readonly string[]): Promise<void> {
  const { writeHtmlReportForFiles } = await import('../report/html/writeReport.js');
  const { envelopeIo } = await import('../report/envelopeIo.js');
  const page = await writeHtmlReportForFiles(paths, join(outputDir, 'report.html'), envelopeIo);
  process.stderr.write(`report: ${page.path} (${paths.length} envelope${paths.length === 1 ? '' : 's'})\n`);
}

export function register(program: Command): void {
  const command = program
    .command('run')
    .summary('run a benchmark and write signed envelope(s)')
    .description(
      'Drive load against an OpenAI-compatible endpoint (or the embedded simulated engine when --base-url is omitted), watch it live, and write one signed, content-hashed envelope per point.\n' +
        '<suite-id> is a plugin id (llm.inference: its first benchmark) or a benchmark id (llm.inference.sharegpt-v3).',
    )
    .argument('[suite-id]', 'plugin or benchmark id', DEFAULTS.suiteId);
  for (const row of RUN_FLAGS) command.addOption(commanderOption(row));
  command.action(async (suiteId: string, flags: RawRunFlags, command: Command) => {
    // Distinguish "user typed --concurrency" from the default (the mutual-exclusion rules need it).
    const explicit = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
    const raw: RawRunFlags = {
      ...flags,
      concurrency: explicit('concurrency') ? flags.concurrency : undefined,
      rps: explicit('rps') ? flags.rps : undefined,
    };
    const given = RUN_FLAGS.filter((row) => explicit(attributeOf(row.name))).map((row) => row.name);
    const parsed = parseRunFlags(suiteId, raw, given);
    if (parsed.list) {
      const [{ discoverOnce }, { resolveSuite }, { listRows }] = await Promise.all([
        import('../run/execute.js'),
        import('../../harness/plugins/index.js'),
        import('./list.js'),
      ]);
      const { plugin } = resolveSuite(await discoverOnce(), parsed.suiteId);
      process.stdout.write(
        parsed.json
          ? `${JSON.stringify(listRows([plugin]), null, 2)}\n`
          : plugin.benchmarks.map((b) => `${plugin.id}.${b.id}\n`).join(''),
      );
      return;
    }
    // No --dev-key: ./cosign.key, else the per-user key (created, and said so, on a first run).
    const config =
      parsed.signingMode === 'dev'
        ? { ...parsed, devKeyPath: await devKeyForRun(explicit('devKey') ? parsed.devKeyPath : undefined) }
        : parsed;
    if (showsConsoleEarly(config))
      await mountEarlyConsole(
        {
          suite: config.suiteId,
          model: config.model || DEFAULTS.embeddedModel,
          engine: 'sim (embedded)',
          endpointHost: 'embedded',
          simulated: true,
        },
        'plugins, signing key, output directory …',
      );
    try {
      const { executeRun } = await import('../run/execute.js');
      process.exitCode = await executeRun(config, {
        argv: process.argv.slice(2),
        ...(config.report === 'html'
          ? { onEnvelopes: (paths) => writeRunReport(config.outputDir, paths) }
          : {}),
      });
    } finally {
      await releaseEarlyConsole();
    }
  });
}

/**
 * The live console comes up before set-up for a single run against the embedded engine. Not for a
 * --base-url endpoint (checked before anything is shown), --trials (each trial is a child process
 * with its own console) or --detach (nothing is shown).
 */
function showsConsoleEarly(config: RunConfig): boolean {
  return useLiveConsole(config) && config.baseUrl === null && config.trials <= 1 && !config.detach;
}
