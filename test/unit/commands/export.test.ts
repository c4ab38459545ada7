import { describe, expect, it } from 'vitest';
import { runExport } from '../../../src/app/commands/export.js';
import { fixturePath } from './helpers.js';

const C16 = fixturePath('c16-b91875fdf860.json');

describe('bench export', () => {
  it('markdown: header block and a sorted metric/value table', async () => {
    const md = await runExport(C16, { format: 'markdown', metric: [] });
    const lines = md.trimEnd().split('\n');
    expect(lines[0]).toBe('### llm.inference.chatbot-short 1.0.0');
    expect(md).toMatch(/^- \*\*Model:\*\* Qwen\/Qwen2\.5-72B-Instruct @ unknown00$/m);
    expect(md).toMatch(/^- \*\*Engine:\*\* vllm 0\.22\.1$/m);
    expect(md).toMatch(/^- \*\*Hardware:\*\* NVIDIA H100 80GB HBM3 × 8$/m);
    expect(md).toMatch(/^- \*\*Signed:\*\* dev-key — verify with `bench verify .*c16-b91875fdf860\.json`$/m);
    const rows = lines
      .filter((l) => /^\| [a-z_]+ \|/.test(l))
      .map((l) => l.split(' | ')[0]?.slice(2))
      .filter((k) => k !== 'metric');
    expect(rows).toEqual([...rows].sort());
    expect(rows).toContain('slo_template_resolved');
    expect(md).toMatch(/^\| throughput_tok_per_s \| 890\.6 \|$/m);
  });

  it('csv: # key=value header rows then metric,value with full precision', async () => {
    const csv = (await runExport(C16, { format: 'csv', metric: [] })).trimEnd().split('\n');
    expect(csv[0]).toBe('# suite=llm.inference.chatbot-short 1.0.0');
    expect(csv.filter((l) => l.startsWith('# '))).toHaveLength(7);
    expect(csv[7]).toBe('metric,value');
    expect(csv).toContain('throughput_tok_per_s,890.5637180121626');
    expect(csv).toContain('slo_template_resolved,"ttft<200ms, tpot<50ms, total<3000ms"');
  });

  it('slack: fenced block, p50/p99 paired, rates as percentages, verify footer', async () => {
    const text = await runExport(fixturePath('010e9504589b.json'), { format: 'slack', metric: [] });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('```');
    expect(text).toMatch(/^TTFT p50\/p99\s+20\.77 \/ 87\.92 ms$/m);
    expect(text).toMatch(/^TPOT p50\/p99\s+7\.04 \/ 8\.69 ms$/m);
    expect(text).toMatch(/^E2E p50\/p99\s+817\.1 \/ 1096 ms$/m);
    expect(text).toMatch(/^compliance_rate\s+98\.9%$/m);
    expect(text).toMatch(/^ok_rate\s+100\.0%$/m);
    expect(text).not.toMatch(/^ttft_p50_ms/m);
    expect(lines[lines.length - 1]).toMatch(
      /^signed: dev-key · verify: `bench verify .*010e9504589b\.json`$/,
    );
  });

  it('--metric filters (repeatable); an unknown metric or an unusable file exits 2', async () => {
    const csv = await runExport(C16, { format: 'csv', metric: ['ok_rate', 'ttft_p99_ms'] });
    expect(csv.trimEnd().split('\n').slice(8)).toEqual(['ok_rate,1.0', 'ttft_p99_ms,85.23758193478018']);
    await expect(runExport(C16, { format: 'csv', metric: ['nope'] })).rejects.toMatchObject({
      exitCode: 2,
      code: 'E_EXPORT_METRIC',
    });
    await expect(runExport('/nonexistent.json', { format: 'csv', metric: [] })).rejects.toMatchObject({
      exitCode: 2,
    });
  });
});
