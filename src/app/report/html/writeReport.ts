// Envelopes → trust check → page model → HTML → one file, written atomically (temp + rename) so a
// failed or interrupted run never leaves half a page behind. Shared by `bench report`,
// `bench compare --report html` and `bench run --report html`.
import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { UsageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import type { EnvelopeIo, VerifyFlags } from '../envelopeIo.js';
import type { LoadedEnvelope } from '../envelopeView.js';
import { buildReportModel, type TrustedEnvelope } from './buildModel.js';
import { reportClientScript } from './clientAsset.js';
import type { ReportModel } from './model.js';
import { renderReportHtml } from './render.js';
import { trustOf } from './trust.js';

export interface HtmlReportRequest {
  readonly loaded: readonly LoadedEnvelope[];
  readonly skipped?: readonly { path: string; reason: string }[];
  readonly out: string;
  readonly io: EnvelopeIo;
  readonly verify?: VerifyFlags;
  readonly title?: string;
  /** Clock seam for the "generated at" line. */
  readonly now?: () => Date;
}

export interface HtmlReportResult {
  readonly path: string;
  readonly bytes: number;
  readonly model: ReportModel;
}

export async function buildHtmlReportModel(request: Omit<HtmlReportRequest, 'out'>): Promise<ReportModel> {
  const inputs: TrustedEnvelope[] = [];
  for (const loaded of request.loaded) {
    let verdict;
    try {
      verdict = await trustOf(request.io, loaded, request.verify ?? {});
    } catch (error) {
      verdict = { trust: 'failed' as const, detail: error instanceof Error ? error.message : String(error) };
    }
    inputs.push({
      loaded,
      file: displayPath(loaded.path),
      trust: verdict.trust,
      trustDetail: verdict.detail,
    });
  }
  return buildReportModel(inputs, {
    generatedAt: (request.now ?? (() => new Date()))().toISOString(),
    tool: `inferencebench ${VERSION}`,
    ...(request.title !== undefined ? { title: request.title } : {}),
    ...(request.skipped !== undefined ? { skipped: request.skipped } : {}),
  });
}

/** Paths under the working directory are shown relative to it; others as given. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function checkOut(out: string): Promise<void> {
  const info = await stat(out).catch(() => null);
  if (info?.isDirectory())
    throw new UsageError(`--out ${out} is a directory; name the .html file`, 'E_REPORT_OUT');
  const parent = await stat(dirname(out)).catch(() => null);
  if (!parent?.isDirectory())
    throw new UsageError(`--out ${out}: folder ${dirname(out)} does not exist`, 'E_REPORT_OUT');
}

export async function writeHtmlReport(request: HtmlReportRequest): Promise<HtmlReportResult> {
  if (request.loaded.length === 0) throw new UsageError('no envelopes to report on', 'E_REPORT_INPUT');
  await checkOut(request.out);
  const model = await buildHtmlReportModel(request);
  const page = renderReportHtml(model, await reportClientScript());
  const tmp = join(dirname(request.out), `.${basename(request.out)}.${randomBytes(4).toString('hex')}.part`);
  try {
    await writeFile(tmp, page.html, { mode: 0o644 });
    await rename(tmp, request.out);
  } catch (error) {
    await rm(tmp, { force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot write ${request.out}: ${message}`, 'E_REPORT_WRITE');
  }
  return { path: request.out, bytes: page.bytes, model };
}

/** `bench run … --report html`: the page for the envelope files a run just wrote. */
export async function writeHtmlReportForFiles(
  files: readonly string[],
  out: string,
  io: EnvelopeIo,
  verify: VerifyFlags = {},
): Promise<HtmlReportResult> {
  const loaded: LoadedEnvelope[] = [];
  for (const file of files) loaded.push(await io.read(file));
  return writeHtmlReport({ loaded, out, io, verify });
}
