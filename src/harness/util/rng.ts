// Small seeded PRNG (xoshiro128**, seeded through splitmix32) and the few distributions the harness
// needs: uniform, exponential, normal, gamma (Marsaglia–Tsang) and beta. Deterministic for a seed.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in (0, 1]: safe for log(). */
  nextOpen(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  exponential(rate: number): number;
  normal(): number;
  /** Gamma(shape k, scale θ): mean kθ, variance kθ². */
  gamma(shape: number, scale: number): number;
  beta(a: number, b: number): number;
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

const TWO_POW_32 = 4294967296;

export function createRng(seed: number): Rng {
  const mix = splitmix32(Math.floor(seed) ^ Math.floor(seed / TWO_POW_32));
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  let spareNormal: number | null = null;

  const nextU32 = (): number => {
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
  };

  const next = (): number => nextU32() / TWO_POW_32;
  const nextOpen = (): number => (nextU32() + 1) / TWO_POW_32;

  const normal = (): number => {
    if (spareNormal !== null) {
      const value = spareNormal;
      spareNormal = null;
      return value;
    }
    // Marsaglia polar method.
    for (;;) {
      const u = 2 * next() - 1;
      const v = 2 * next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        spareNormal = v * factor;
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
    int: (n) => Math.floor(next() * n),
    exponential: (rate) => -Math.log(nextOpen()) / rate,
    normal,
    gamma,
    beta: (a, b) => {
      const x = gamma(a, 1);
      const y = gamma(b, 1);
      return x / (x + y);
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
