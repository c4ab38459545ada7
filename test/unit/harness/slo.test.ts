import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeSloTemplate,
  loadSloTemplates,
  parseSloTemplates,
  resolveSloTemplate,
  scaleSloTemplate,
  SloTemplateError,
} from '../../../src/harness/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ib-slo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SLO templates', () => {
  it('ships llm.standard, llm.realtime and llm.batch with the seed thresholds', () => {
    const templates = loadSloTemplates();
    const pick = (id: string): string[] =>
      templates.get(id)!.slos.map((s) => `${s.metric}:p${s.percentile}:${s.maxMs}`);
    expect(pick('llm.standard')).toEqual(['ttft:p99:300', 'tpot:p99:50']);
    expect(pick('llm.realtime')).toEqual(['ttft:p99:100', 'tpot:p99:30']);
    expect(pick('llm.batch')).toEqual(['tpot:p99:200']);
    expect(describeSloTemplate(templates.get('llm.standard')!)).toBe('ttft p99 <= 300 ms, tpot p99 <= 50 ms');
  });

  it('resolves a user file by path (single template) or PATH#id, and extends the built-ins', () => {
    const path = join(dir, 'mine.yaml');
    writeFileSync(
      path,
      'templates:\n  mine.strict:\n    description: strict\n    slos:\n      - { metric: ttft, percentile: 90, max_ms: 80 }\n      - { metric: total, max_ms: 2000 }\n',
    );
    const one = resolveSloTemplate(path);
    expect(one.id).toBe('mine.strict');
    expect(one.slos[1]).toEqual({ metric: 'total', percentile: 99, maxMs: 2000 });
    expect(resolveSloTemplate(`${path}#mine.strict`).id).toBe('mine.strict');
    expect(resolveSloTemplate('mine.strict', [path]).slos).toHaveLength(2);
    expect(resolveSloTemplate('llm.standard', [path]).id).toBe('llm.standard');
  });

  it.each([
    ['not: [yaml', /not valid YAML/],
    ['foo: 1', /top-level "templates:"/],
    ['templates:\n  a: {}', /needs a "slos:" list/],
    ['templates:\n  a:\n    slos:\n      - { metric: latency, max_ms: 5 }', /metric must be one of/],
    ['templates:\n  a:\n    slos:\n      - { metric: ttft, max_ms: -5 }', /max_ms must be a positive number/],
    [
      'templates:\n  a:\n    slos:\n      - { metric: ttft, percentile: 120, max_ms: 5 }',
      /percentile must be/,
    ],
  ])('rejects %j with a clear error', (text, message) => {
    expect(() => parseSloTemplates(text, 'x.yaml')).toThrow(message);
    try {
      parseSloTemplates(text, 'x.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(SloTemplateError);
      expect((error as SloTemplateError).code).toMatch(/^E_/);
      expect((error as SloTemplateError).exitCode).toBe(2);
    }
  });

  it('an unknown id lists the known ones', () => {
    expect(() => resolveSloTemplate('llm.nope')).toThrow(
      /unknown SLO template "llm.nope" \(known: llm.standard/,
    );
  });

  it('scales every limit for a hardware class, leaving the original untouched', () => {
    const standard = resolveSloTemplate('llm.standard');
    const h200 = scaleSloTemplate(standard, 0.85);
    expect(h200.slos.map((s) => s.maxMs)).toEqual([255, 42.5]);
    expect(standard.slos.map((s) => s.maxMs)).toEqual([300, 50]);
    expect(() => scaleSloTemplate(standard, 0)).toThrow(SloTemplateError);
  });
});

describe('hardware classes: one source for run and doctor', () => {
  it.each([
    ['h100', 'ttft p99 <= 300 ms, tpot p99 <= 50 ms'],
    ['a100', 'ttft p99 <= 420 ms, tpot p99 <= 70 ms'],
    ['A100', 'ttft p99 <= 420 ms, tpot p99 <= 70 ms'],
    ['h200', 'ttft p99 <= 255 ms, tpot p99 <= 42.5 ms'],
    ['l4', 'ttft p99 <= 900 ms, tpot p99 <= 150 ms'],
    ['mi300x', 'ttft p99 <= 300 ms, tpot p99 <= 50 ms'],
  ])('bench run --hardware %s records %s', async (hardware, resolved) => {
    const { runSloTemplate } = await import('../../../src/app/run/execute.js');
    expect(describeSloTemplate(runSloTemplate({ sloTemplate: 'llm.standard', hardware }))).toBe(resolved);
  });

  it('doctor reads the same templates and multipliers', async () => {
    const doctor = await import('../../../src/app/report/doctor/slo.js');
    const harness = await import('../../../src/harness/index.js');
    expect(doctor.HARDWARE_CLASSES).toBe(harness.HARDWARE_CLASSES);
    expect(doctor.SLO_TEMPLATES['llm.standard']).toEqual(
      loadSloTemplates()
        .get('llm.standard')
        ?.slos.map(({ metric, percentile, maxMs }) => ({ metric, percentile, maxMs })),
    );
    expect(harness.hardwareClassOf('NVIDIA A100-SXM4-80GB').id).toBe('a100');
  });
});
