// bench export <envelope|dir> [--format markdown|csv|slack|vllm|aiperf|jsonl] [--out PATH] [--metric KEY]...
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { forEachJournalRecord } from '../../harness/metrics/journal.js';
import { UsageError } from '../errors.js';
import { collectJsonFiles, envelopeIo, type EnvelopeIo } from '../report/envelopeIo.js';
import { getPath, getString, type LoadedEnvelope } from '../report/envelopeView.js';
import { renderExport, type ExportFormat } from '../report/exportFormats.js';
import { aiperfCsv, aiperfJson, requestLine, vllmResult } from '../report/peerExports.js';

export type AnyExportFormat = ExportFormat | 'vllm' | 'aiperf' | 'jsonl';
export const ALL_EXPORT_FORMATS: readonly AnyExportFormat[] = [
  'markdown',
  'csv',
  'slack',
  'vllm',
  'aiperf',
  'jsonl',
];

interface ExportFlags {
  format: AnyExportFormat;
  out?: string;
  metric: string[];
  journal?: string;
}

export async function runExport(
  path: string,
  flags: ExportFlags & { format: ExportFormat },
  io: EnvelopeIo = envelopeIo,
): Promise<string> {
  const loaded = await io.read(path);
  return `${renderOne(loaded, flags)}\n`;
}

function renderOne(loaded: LoadedEnvelope, flags: ExportFlags & { format: ExportFormat }): string {
  const metrics = getPath(loaded.envelope, 'metrics');
  const known = new Set(typeof metrics === 'object' && metrics !== null ? Object.keys(metrics) : []);
  const unknown = flags.metric.filter((m) => !known.has(m));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown metric ${unknown.map((m) => `"${m}"`).join(', ')} (the envelope has: ${[...known].sort().join(', ')})`,
      'E_EXPORT_METRIC',
    );
  return renderExport(flags.format, loaded.envelope, loaded.path, flags.metric, loaded.lossless);
}

async function loadAll(path: string, io: EnvelopeIo): Promise<LoadedEnvelope[]> {
  const files = (await collectJsonFiles([path])).sort();
  const loaded: LoadedEnvelope[] = [];
  for (const file of files) loaded.push(await io.read(file));
  if (loaded.length === 0) throw new UsageError(`no envelopes under ${path}`, 'E_EXPORT_EMPTY');
  return loaded;
}

/** The journal the run left beside its envelope (`.bench-journal-<point>.jsonl`), or --journal. */
export async function journalPathFor(loaded: LoadedEnvelope, flag?: string): Promise<string> {
  const point = getString(loaded.envelope, 'run_context', 'point');
  const candidate =
    flag ?? (point !== undefined ? join(dirname(loaded.path), `.bench-journal-${point}.jsonl`) : undefined);
  if (candidate !== undefined) {
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // reported below
    }
  }
  throw new UsageError(
    `no request journal for ${loaded.path}${candidate !== undefined ? ` (looked for ${candidate})` : ''}: pass --journal PATH`,
    'E_EXPORT_JOURNAL',
  );
}

async function writeJsonl(loaded: readonly LoadedEnvelope[], flags: ExportFlags): Promise<void> {
  const journals: string[] = [];
  for (const item of loaded)
    journals.push(await journalPathFor(item, loaded.length === 1 ? flags.journal : undefined));
  if (flags.out) await mkdir(dirname(flags.out), { recursive: true });
  const sink = flags.out ? createWriteStream(flags.out, { flags: 'wx' }) : process.stdout;
  let lines = 0;
  for (let i = 0; i < loaded.length; i += 1) {
    const runId = getString(loaded[i]!.envelope, 'run_id') ?? null;
    let buffer: string[] = [];
    await forEachJournalRecord(journals[i]!, (record) => {
      buffer.push(
        JSON.stringify({ run_id: runId, ...requestLine(record as unknown as Record<string, unknown>) }),
      );
      lines += 1;
      if (buffer.length >= 1000) {
        sink.write(`${buffer.join('\n')}\n`);
        buffer = [];
      }
    });
    if (buffer.length > 0) sink.write(`${buffer.join('\n')}\n`);
  }
  if (flags.out) {
    await new Promise<void>((resolve, reject) => {
      (sink as ReturnType<typeof createWriteStream>).end((error?: Error | null) =>
        error ? reject(error) : resolve(),
      );
    });
    process.stderr.write(`wrote ${flags.out} (${lines} requests)\n`);
  }
}

async function writeAiperf(loaded: readonly LoadedEnvelope[], flags: ExportFlags): Promise<void> {
  if (!flags.out) {
    // stdout: the JSON only (one object per envelope, one per line when several).
    const texts = loaded.map((l) =>
      JSON.stringify(aiperfJson(l.envelope), null, loaded.length === 1 ? 2 : undefined),
    );
    process.stdout.write(`${texts.join('\n')}\n`);
    return;
  }
  for (const item of loaded) {
    const dir = loaded.length === 1 ? flags.out : join(flags.out, basename(item.path, '.json'));
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'profile_export_aiperf.json'),
      `${JSON.stringify(aiperfJson(item.envelope), null, 2)}\n`,
    );
    await writeFile(join(dir, 'profile_export_aiperf.csv'), `${aiperfCsv(item.envelope)}\n`);
    process.stderr.write(`wrote ${join(dir, 'profile_export_aiperf.json')} and .csv\n`);
  }
}

export async function runExportCommand(
  path: string,
  flags: ExportFlags,
  io: EnvelopeIo = envelopeIo,
): Promise<void> {
  const loaded = await loadAll(path, io);
  if (flags.format === 'jsonl') return writeJsonl(loaded, flags);
  if (flags.format === 'aiperf') return writeAiperf(loaded, flags);
  let text: string;
  if (flags.format === 'vllm') {
    // One result per envelope; several are one JSON object per line, as `--append-result` writes them.
    const results = loaded.map((l) =>
      JSON.stringify(vllmResult(l.envelope), null, loaded.length === 1 ? 2 : undefined),
    );
    text = `${results.join('\n')}\n`;
  } else {
    const format = flags.format;
    text = `${loaded.map((l) => renderOne(l, { ...flags, format })).join('\n\n')}\n`;
  }
  if (flags.out) {
    await mkdir(dirname(flags.out), { recursive: true });
    await writeFile(flags.out, text);
    process.stderr.write(`wrote ${flags.out}\n`);
  } else {
    process.stdout.write(text);
  }
}

export function register(program: Command): void {
  program
    .command('export')
    .summary("render envelopes as markdown, CSV, Slack or peers' formats")
    .description(
      "Render envelopes as markdown, CSV, a Slack message, or peers' formats (vLLM, AIPerf, per-request JSONL).",
    )
    .argument('<envelope>', 'envelope file, or a directory of envelopes')
    .addOption(
      new Option('--format <format>', ALL_EXPORT_FORMATS.join(', '))
        .choices([...ALL_EXPORT_FORMATS])
        .default('markdown'),
    )
    .option('--out <path>', 'write to this file (aiperf: this directory) instead of stdout')
    .option(
      '--metric <key>',
      'only this metric (repeatable; markdown, csv, slack)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--journal <path>',
      'jsonl: the request journal (default: .bench-journal-<point>.jsonl beside the envelope)',
    )
    .action(async (path: string, flags: ExportFlags) => {
      await runExportCommand(path, flags);
    });
}
