import { describe, expect, it } from 'vitest';
import { pointWarnings, type PointFacts } from '../../../src/harness/index.js';

const quiet: PointFacts = {
  auditReasons: [],
  steadyStateRequired: null,
  measured: 5000,
  ok: 5000,
  incomplete: false,
  ttftN: 5000,
  coalescedFraction: 0,
  binned: [],
  oslCounted: 0,
};

describe('pointWarnings', () => {
  it.each<[string, Partial<PointFacts>, string[]]>([
    ['a healthy point', {}, []],
    [
      'an audit overrun',
      { auditReasons: ['pacer lag p99 3.00 ms exceeds the 1 ms budget'] },
      ['generator self-audit: pacer lag p99 3.00 ms exceeds the 1 ms budget; results may be distorted'],
    ],
    [
      'too few requests for 2·c',
      { steadyStateRequired: 64, measured: 40, ok: 40, ttftN: 40 },
      [
        'steady-state rule: measured 40 requests, fewer than 2·c = 64; lengthen the duration',
        'p99 values rest on n = 40 requests (< 1000): read them with their CIs',
      ],
    ],
    ['exactly 2·c', { steadyStateRequired: 64, measured: 64, ok: 64, ttftN: 2000 }, []],
    ['a user stop', { incomplete: true }, ['point stopped early by the user: results are incomplete']],
    ['nothing measured', { measured: 0, ok: 0, ttftN: 0 }, ['no request was measured in the window']],
    ['nothing succeeded', { ok: 0, ttftN: 0 }, ['no successful request in the window']],
    ['n = 999', { ttftN: 999 }, ['p99 values rest on n = 999 requests (< 1000): read them with their CIs']],
    ['n = 1000', { ttftN: 1000 }, []],
    [
      'coalesced events above 10 %',
      { coalescedFraction: 0.25 },
      [
        '25 % of token events arrived several per socket read and share a timestamp: gaps below the read interval are not resolvable (icl/itl low percentiles read 0)',
      ],
    ],
    ['coalesced events at 10 %', { coalescedFraction: 0.1 }, []],
    [
      'binned distributions',
      { binned: ['itl', 'icl'] },
      [
        'itl, icl: more samples than are kept exactly; their percentiles come from a log histogram (values within 0.034 %)',
      ],
    ],
    [
      'counted osl',
      { oslCounted: 7 },
      ['the server sent no usage for 7 request(s): their osl was counted from events'],
    ],
  ])('%s', (_label, patch, expected) => {
    expect(pointWarnings({ ...quiet, ...patch })).toEqual(expected);
  });
});
