import { describe, expect, it } from 'vitest';
import {
  createEngineRng,
  createLabelledRng,
  createRng,
  deriveSeed,
  permutation,
} from '../../../src/lib/rng.js';

describe('the one seeded RNG', () => {
  it('each seeding reproduces the stream its recorded seeds always gave (values from the three former modules)', () => {
    expect(createRng(42).next()).toBe(0.6606157226487994);
    expect(createLabelledRng(42, 's').next()).toBe(0.10831674211658537);
    expect(createEngineRng(42).next()).toBe(0.4813160905614495);
  });

  it('same seed, same numbers; different labels, different streams', () => {
    const draw = (seed: number, label: string): number[] => {
      const rng = createLabelledRng(seed, label);
      return [rng.next(), rng.int(1, 6), rng.normal(), rng.gamma(0.5, 2), rng.beta(2, 3)];
    };
    expect(draw(7, 'a')).toEqual(draw(7, 'a'));
    expect(draw(7, 'a')).not.toEqual(draw(7, 'b'));
    expect(deriveSeed(7, 'x')).not.toBe(deriveSeed(7, 'y'));
  });

  it('int is inclusive, below is exclusive, nextOpen never 0', () => {
    const rng = createRng(1);
    const ints = new Set(Array.from({ length: 2000 }, () => rng.int(1, 3)));
    expect([...ints].sort()).toEqual([1, 2, 3]);
    const below = new Set(Array.from({ length: 2000 }, () => rng.below(3)));
    expect([...below].sort()).toEqual([0, 1, 2]);
    for (let i = 0; i < 2000; i++) expect(rng.nextOpen()).toBeGreaterThan(0);
    expect(permutation(5, createRng(3)).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
