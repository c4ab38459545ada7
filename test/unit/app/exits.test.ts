// Issue 17 case 8: an exit 1 names its points and ok rates; silent overrides are warned.
import { describe, expect, it } from 'vitest';
import { okRateFloorFailure } from '../../../src/app/run/defaults.js';
import { parseRunFlags } from '../../../src/app/run/options.js';

describe('sweep exit 1 says why', () => {
  it('names every point below the 0.95 floor with its ok rate', () => {
    expect(
      okRateFloorFailure([
        { point: { label: 'c4' }, metrics: { ok_rate: 0.81 } },
        { point: { label: 'c16' }, metrics: { ok_rate: null } },
      ]),
    ).toBe('2 point(s) below the ok-rate floor 0.95: c4 ok_rate 0.810, c16 ok_rate n/a (nothing measured)');
  });
});

describe('silent overrides are warned', () => {
  it('--rps next to --sweep: the sweep wins, the rate is named as ignored', () => {
    const c = parseRunFlags('llm.inference', { sweep: '1,4', rps: '6' });
    expect(c.points.map((p) => p.label)).toEqual(['c1', 'c4']);
    expect(c.flagWarnings).toEqual([
      '--rps 6 is ignored: --sweep 1,4 runs closed-loop concurrency points (use --rps-sweep for rates)',
    ]);
  });
  it('--concurrency next to --rps is ignored, and said so; alone it is remembered for open-loop specs', () => {
    const open = parseRunFlags('llm.inference', { rps: '2', concurrency: '8' });
    expect(open.points.map((p) => p.label)).toEqual(['r2']);
    expect(open.flagWarnings).toEqual(['--concurrency 8 is ignored: the open-loop rate sets the load']);
    expect(open.concurrencyGiven).toBe(false);
    const closed = parseRunFlags('llm.inference', { concurrency: '4' });
    expect(closed.flagWarnings).toEqual([]);
    expect(closed.concurrencyGiven).toBe(true);
  });
});
