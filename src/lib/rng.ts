// The one seeded RNG of the project: one `Rng` interface, three seedings. It lives in src/lib, the
// leaf layer every other layer may import (it imports nothing from src): the engine may not import
// the harness nor the harness the engine, and both need the same generator (ARCHITECTURE.md).
//
// The seedings differ only so that recorded seeds keep reproducing the same numbers they always
// did: the harness's statistics and arrivals use xoshiro128** (createRng); workload sampling uses
// mulberry32 over the seed mixed with a stream label (createLabelledRng); the embedded engine uses
// mulberry32 seeded directly (createEngineRng). Each keeps its own normal() variant for the same reason.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in (0, 1]: safe for log(). */
  nextOpen(): number;
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** Integer in [0, n). */
  below(n: number): number;
  /** Standard normal. */
  normal(): number;
  exponential(rate: number): number;
  /** Gamma(shape k, scale θ): mean kθ, variance kθ² (Marsaglia–Tsang). */
  gamma(shape: number, scale: number): number;
  beta(a: number, b: number): number;
}

const TWO_POW_32 = 4294967296;

type NormalKind = 'polar' | 'box-muller' | 'box-muller-paired';

/** The full Rng over a source of uniform 32-bit integers. */
function rngOf(nextU32: () => number, normalKind: NormalKind): Rng {
  const next = (): number => nextU32() / TWO_POW_32;
  const nextOpen = (): number => (nextU32() + 1) / TWO_POW_32;
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    if (normalKind === 'box-muller') {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    if (normalKind === 'box-muller-paired') {
      let u = next();
      while (u <= Number.EPSILON) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    }
    // Marsaglia polar method.
    for (;;) {
      const u = 2 * next() - 1;
      const v = 2 * next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * factor;
        return u * factor;
      }
    }
  };
  const gamma = (shape: number, scale: number): number => {
    if (!(shape > 0) || !(scale > 0)) throw new RangeError(`gamma needs shape > 0 and scale > 0`);
    if (shape < 1) {
      // Boost: Gamma(k) = Gamma(k + 1) · U^(1/k).
      return gamma(shape + 1, scale) * Math.pow(nextOpen(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = nextOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  };
  return {
    next,
    nextOpen,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    below: (n) => Math.floor(next() * n),
    normal,
    exponential: (rate) => -Math.log(nextOpen()) / rate,
    gamma,
    beta: (a, b) => {
      const x = gamma(a, 1);
      const y = gamma(b, 1);
      return x / (x + y);
    },
  };
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** xoshiro128** seeded through splitmix32: the harness's statistics (bootstrap) and arrivals. */
export function createRng(seed: number): Rng {
  const mix = splitmix32(Math.floor(seed) ^ Math.floor(seed / TWO_POW_32));
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  return rngOf(() => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    s0 >>>= 0;
    s1 >>>= 0;
    s2 >>>= 0;
    s3 >>>= 0;
    return result;
  }, 'polar');
}

function mulberry32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function mixLabel(seed: number, label: string): number {
  // FNV-1a over the label, folded with the seed through a murmur-style finaliser.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.floor(seed / 0x100000000);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32 over the seed mixed with a stream label: workload sampling (independent streams). */
export function createLabelledRng(seed: number, label = ''): Rng {
  return rngOf(mulberry32(mixLabel(seed, label)), 'box-muller');
}

/** mulberry32 seeded directly: the embedded engine (its outputs are pinned to the seed). */
export function createEngineRng(seed: number): Rng {
  return rngOf(mulberry32((Math.floor(seed) ^ 0x9e3779b9) >>> 0), 'box-muller-paired');
}

/** Derives an independent seed for a named sub-stream (faults, lengths, text…). */
export function deriveSeed(seed: number, label: string): number {
  let h = (Math.floor(seed) >>> 0) ^ 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const tmp = order[i] as number;
    order[i] = order[j] as number;
    order[j] = tmp;
  }
  return order;
}
