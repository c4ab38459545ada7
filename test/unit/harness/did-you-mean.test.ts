import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggestSimilar } from '../../../src/harness/util/did-you-mean.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['run', 'run', 0],
    ['run', 'rnu', 1], // adjacent transposition
    ['run', 'ru', 1],
    ['verify', 'verfy', 1],
    ['kitten', 'sitting', 3],
    ['abc', '', 3],
  ])('%j ↔ %j = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('is zero only for equal strings and never exceeds the longer length', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const d = editDistance(a, b);
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });
});

describe('suggestSimilar / didYouMean', () => {
  const commands = ['compare', 'diff', 'doctor', 'run', 'replay', 'verify', 'summary'];
  it('the nearest candidate within the typo budget; ties are all kept', () => {
    expect(suggestSimilar('verfiy', commands)).toEqual(['verify']);
    expect(suggestSimilar('dif', commands)).toEqual(['diff']);
    expect(suggestSimilar('xyz', commands)).toEqual([]);
    expect(suggestSimilar('ab', ['ax', 'xb'])).toEqual(['ax', 'xb']);
    expect(didYouMean('ab', ['ax', 'xb'])).toBe('did you mean "ax" or "xb"?');
    expect(didYouMean('repaly', commands)).toBe('did you mean "replay"?');
    expect(didYouMean('zzzzzz', commands)).toBeNull();
  });
});
