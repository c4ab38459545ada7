import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSummary, signatureStatusOf } from '../../../src/app/commands/summary.js';
import { envelopeIo } from '../../../src/app/report/envelopeIo.js';
import { buildSummary, renderSummaryCsv, summaryJson } from '../../../src/app/report/summary.js';
import { FIXTURES, FIXTURE_FILES, derived, fixturePath, makeSigner, tempDir } from './helpers.js';

describe('bench summary on the InferenceBench fixtures', () => {
  it('groups by suite, sorts by throughput, adapts columns, counts', async () => {
    const json = JSON.parse(await runSummary([FIXTURES], { json: true })) as {
      suites: Record<string, Record<string, unknown>[]>;
      skipped: number;
    };
    expect(Object.keys(json.suites).sort()).toEqual([
      'llm.inference.chatbot-short',
      'llm.inference.sharegpt-v3',
      'llm.quality.persona-consistency-mini',
    ]);
    const chat = json.suites['llm.inference.chatbot-short'] ?? [];
    const metrics = (r: Record<string, unknown>) => r.metrics as Record<string, number | null>;
    expect(chat.map((r) => metrics(r).throughput_tok_per_s)).toEqual([
      890.5637180121626, 472.12755973836636, 233.72420601239932, 56.46787587669715,
    ]);
    // Self-signed with keys nobody put in the trust store: valid, not trusted.
    expect(chat.every((r) => r.signature === 'untrusted')).toBe(true);
    // InferenceBench's shape: full run_id, run_id_short, first GPU model; our label beside it
    expect(chat[0]?.run_id).toBe('019ebf77-7597-7671-a417-726e28e10417');
    expect(chat[0]?.run_id_short).toBe('019ebf77');
    expect(chat[0]?.hardware).toBe('NVIDIA H100 80GB HBM3');
    expect(chat[0]?.hardware_label).toBe('H100 80GB HBM3 ×8');
    expect(chat[0]?.engine).toEqual({ name: 'vllm', version: '0.22.1' });
    // their 8 metrics always (null when absent), plus the columns this suite shows (accuracy)
    const quality = json.suites['llm.quality.persona-consistency-mini']?.[0] ?? {};
    expect(Object.keys(metrics(quality))).toContain('accuracy');
    expect(metrics(quality).throughput_tok_per_s).toBeNull();
    expect(json.skipped).toBe(0);

    const text = await runSummary([FIXTURES], {});
    expect(text).toMatch(/6 envelopes loaded, 0 skipped \(validation failure\), 3 suites\n$/);
    const qualityBlock = text.split('\n\n').find((b) => b.startsWith('llm.quality')) ?? '';
    expect(qualityBlock).toMatch(/Accuracy/);
    expect(qualityBlock).not.toMatch(/Throughput/);
  });

  it('missing throughput sorts last', () => {
    const report = buildSummary(
      [
        { path: 'a.json', envelope: { suite_id: 's', metrics: { ttft_p50_ms: 1 } }, signature: 'trusted' },
        {
          path: 'b.json',
          envelope: { suite_id: 's', metrics: { throughput_tok_per_s: 5 } },
          signature: 'trusted',
        },
        {
          path: 'c.json',
          envelope: { suite_id: 's', metrics: { throughput_tok_per_s: 50 } },
          signature: 'trusted',
        },
      ],
      0,
    );
    expect(report.suites.get('s')?.rows.map((r) => r.path)).toEqual(['c.json', 'b.json', 'a.json']);
  });
});

describe('bench summary on a directory with bad, unsigned and tampered files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    const nested = join(dir, 'nested');
    await mkdir(nested);
    await copyFile(fixturePath('c1-79d354b13545.json'), join(dir, 'c1-79d354b13545.json'));
    // a tampered copy: a metric changed after signing → signature FAIL, still listed
    const text = await readFile(fixturePath('c4-95cbfd4f49dc.json'), 'utf8');
    await writeFile(
      join(nested, 'tampered.json'),
      text.replace('"ttft_p50_ms": 46.3405535556376', '"ttft_p50_ms": 6.3405535556376'),
    );
    // an unsigned, schema-valid envelope
    await writeFile(join(nested, 'unsigned.json'), JSON.stringify(await derived('c16-b91875fdf860.json')));
    // unusable files are skipped and counted
    await writeFile(join(dir, 'broken.json'), '{"envelope_version": "v1", ');
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    await writeFile(join(dir, 'notes.txt'), 'not json, not *.json');
    await mkdir(join(dir, '.hidden'));
    await writeFile(join(dir, '.hidden', 'ignored.json'), '{}'); // hidden: not even counted as skipped
    const signer = await makeSigner(dir);
    await signer.sign(
      nested,
      'c16-',
      await derived('c16-b91875fdf860.json', (e) => (e.metrics.ok_rate = 0.5)),
    );
  });

  it('marks signature status per row and counts skipped files', async () => {
    const json = JSON.parse(await runSummary([dir], { json: true })) as {
      suites: Record<string, { path: string; signature: string; ok_rate?: number }[]>;
      skipped: number;
    };
    expect(json.skipped).toBe(2);
    const rows = json.suites['llm.inference.chatbot-short'] ?? [];
    const status = Object.fromEntries(rows.map((r) => [r.path.slice(dir.length + 1), r.signature]));
    expect(status).toEqual({
      'c1-79d354b13545.json': 'untrusted',
      'nested/tampered.json': 'invalid',
      'nested/unsigned.json': 'unsigned',
      [Object.keys(status).find((k) => k.startsWith('nested/c16-')) ?? 'x']: 'untrusted',
    });
    const text = await runSummary([dir], {});
    expect(text).toMatch(/INVALID/);
    expect(text).toMatch(/UNTRUSTED signer/);
    expect(text).toMatch(/unsigned/);
    expect(text).toMatch(/4 envelopes loaded, 2 skipped \(validation failure\), 1 suite\n$/);
  });

  it('--csv: one header, one row per envelope, suite first', async () => {
    const csv = (await runSummary([dir], { csv: true })).trimEnd().split('\n');
    expect(csv[0]).toBe(
      'suite_id,model,engine,quant,hardware,throughput_tok_per_s,ttft_p50_ms,ttft_p99_ms,tpot_p50_ms,ok_rate,joules_per_token,signature,flags,run_id,path',
    );
    expect(csv).toHaveLength(5);
    expect(csv.slice(1).every((l) => l.startsWith('llm.inference.chatbot-short,'))).toBe(true);
  });

  it('a single file works; --json with --csv and a missing path are usage errors (exit 2)', async () => {
    const one = JSON.parse(await runSummary([fixturePath(FIXTURE_FILES[0])], { json: true })) as {
      suites: object;
    };
    expect(Object.keys(one.suites)).toEqual(['llm.inference.chatbot-short']);
    await expect(runSummary([dir], { json: true, csv: true })).rejects.toMatchObject({ exitCode: 2 });
    await expect(runSummary([join(dir, 'nope')], {})).rejects.toMatchObject({
      exitCode: 2,
      code: 'E_PATH_NOT_FOUND',
    });
  });

  it('signature status is the trust level of the check', () => {
    for (const trust of ['trusted', 'untrusted', 'invalid', 'unsigned'] as const)
      expect(signatureStatusOf({ ok: trust !== 'invalid', trust, method: 'dev-key' })).toBe(trust);
  });

  it('--dev-public-key: the fixtures signed by another key become FAIL', async () => {
    const dir2 = await tempDir();
    await makeSigner(dir2);
    const json = JSON.parse(
      await runSummary([fixturePath('c1-79d354b13545.json')], {
        json: true,
        devPublicKey: join(dir2, 'cosign.pub'),
      }),
    ) as { suites: Record<string, { signature: string }[]> };
    expect(json.suites['llm.inference.chatbot-short']?.[0]?.signature).toBe('invalid');
  });

  it('renderSummaryCsv quotes fields with commas', async () => {
    const loaded = await envelopeIo.read(fixturePath('c1-79d354b13545.json'));
    const env = { ...loaded.envelope, model: { id: 'a,"b"' } };
    const csv = renderSummaryCsv(buildSummary([{ path: 'x.json', envelope: env, signature: 'trusted' }], 0));
    expect(csv.split('\n')[1]).toMatch(/^llm\.inference\.chatbot-short,"a,""b""",/);
    expect(summaryJson(buildSummary([], 3))).toEqual({ suites: {}, skipped: 3, loaded: 0, notes: [] });
  });
});
