// bench matrix: config validation (exit 2 with the path) and the per-regime verdict, by hand.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadMatrixConfig,
  MatrixConfigError,
  matrixEnvelopeName,
  parseMatrixConfig,
} from '../../../src/app/matrix/config.js';
import {
  renderVerdicts,
  stat,
  trialWarnings,
  verdicts,
  type MatrixCell,
} from '../../../src/app/matrix/summary.js';

const good = {
  schema: 'inferencebench.matrix.v1',
  suite_id: 'llm.inference.chatbot-short',
  sweep: [1, 16],
  targets: [{ name: 'fp8', model: 'm', engine: 'vllm', base_url: 'http://127.0.0.1:8000/v1', quant: 'fp8' }],
};

describe('matrix config', () => {
  it('parses the fixture and fills defaults (duration 60 s, 1 trial)', () => {
    const config = loadMatrixConfig(join(import.meta.dirname, '../../../fixtures/matrix/quant-matrix.yaml'));
    expect(config.targets.map((t) => t.name)).toEqual(['fp16', 'fp8']);
    expect(parseMatrixConfig(good, 'x')).toMatchObject({ duration_s: 60, trials: 1 });
  });

  it.each([
    ['wrong schema', { ...good, schema: 'v2' }, /x: schema: /],
    ['no targets', { ...good, targets: [] }, /targets: /],
    ['bad sweep', { ...good, sweep: [0] }, /sweep.0: /],
    ['duplicate sweep', { ...good, sweep: [4, 4] }, /duplicate concurrency/],
    ['unknown key', { ...good, extra: 1 }, /Unrecognized key/],
    ['bad url', { ...good, targets: [{ ...good.targets[0], base_url: 'ftp://x' }] }, /targets.0.base_url/],
    [
      'name with slash',
      { ...good, targets: [{ ...good.targets[0], name: 'a/b' }] },
      /targets.0.name: letters/,
    ],
    ['duplicate names', { ...good, targets: [good.targets[0], good.targets[0]] }, /duplicate name 'fp8'/],
  ])('%s → MatrixConfigError (exit 2)', (_label, raw, message) => {
    let caught: unknown;
    try {
      parseMatrixConfig(raw, 'x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MatrixConfigError);
    expect((caught as MatrixConfigError).exitCode).toBe(2);
    expect((caught as Error).message).toMatch(message);
  });

  it('unreadable and invalid YAML files are exit-2 errors', () => {
    expect(() => loadMatrixConfig('/nonexistent.yaml')).toThrow(/cannot be read/);
    expect(() => loadMatrixConfig('x', () => 'a: [1')).toThrow(/invalid YAML/);
  });

  it('envelope names are <target>-c<point>-<hash12>.json', () => {
    expect(matrixEnvelopeName('fp8', 16, 'abcdef0123456789')).toBe('fp8-c16-abcdef012345.json');
  });
});

function cell(target: string, point: number, tput: number[], tpot: number[]): MatrixCell {
  return { target, point, throughputTokPerS: tput, tpotP50Ms: tpot, ttftP50Ms: [], okRate: [] };
}

describe('winner per concurrency regime', () => {
  const cells = [
    cell('fp8', 1, [100, 102, 98], [7.0, 7.1, 6.9]),
    cell('nvfp4', 1, [110, 111, 109], [8.0, 8.1, 7.9]),
    cell('fp8', 16, [1000, 1010, 990], [9, 9, 9]),
    cell('nvfp4', 16, [1300, 1290, 1310], [10, 10, 10]),
    cell('fp8', 64, [2000, 2000, 2000], [20, 20, 20]),
    cell('nvfp4', 64, [2020, 2020, 2020], [21, 21, 21]),
  ];

  it('c=1 on median TPOT (lower wins), others on throughput; a lead within 2 % is a tie', () => {
    const v = verdicts(cells);
    expect(v.map((x) => [x.point, x.regime, x.winner, x.tie])).toEqual([
      [1, 'latency', 'fp8', false],
      [16, 'throughput', 'nvfp4', false],
      [64, 'throughput', 'nvfp4', true], // 2020 vs 2000: 1 % < 2 %
    ]);
    // c=1: (8.0 − 7.0) / 8.0 = 12.5 %; c=16: (1300 − 1000) / 1000 = 30 %
    expect(v[0]!.lead).toBeCloseTo(0.125, 12);
    expect(v[1]!.lead).toBeCloseTo(0.3, 12);
    expect(renderVerdicts(v)).toEqual([
      'c=1 (latency, tpot_p50_ms): fp8 wins by 12.5% over nvfp4',
      'c=16 (throughput, throughput_tok_per_s): nvfp4 wins by 30.0% over fp8',
      'c=64 (throughput, throughput_tok_per_s): no clear winner — nvfp4 leads fp8 by 1.0%, inside the noise',
    ]);
  });

  it('a lead smaller than a trial std is a tie', () => {
    const noisy = [cell('a', 4, [1000, 1200, 800], []), cell('b', 4, [950, 950, 950], [])];
    // a: mean 1000, sample std 200 > gap 50 → tie
    expect(stat([1000, 1200, 800])).toEqual({ mean: 1000, std: 200, n: 3 });
    expect(verdicts(noisy)[0]!.tie).toBe(true);
  });

  it('warns for targets with fewer than 3 trials', () => {
    expect(trialWarnings(cells)).toEqual([]);
    expect(trialWarnings([cell('a', 1, [1], [1]), cell('a', 4, [1, 2, 3], [1])])).toEqual([
      'target a has 1 trial in some cell (< 3): its verdicts are DRAFT, not VERDICT',
    ]);
  });
});
