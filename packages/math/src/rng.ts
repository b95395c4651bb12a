import { invalidInput, invalidOption } from "./errors.js";

/** A seeded pseudo-random generator. */
export interface Rng {
  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number;
  /** Uniform integer in [0, n), unbiased (rejection sampling). `n` must be an integer in [1, 2³²]. */
  int(n: number): number;
  /** Standard normal deviate (Marsaglia polar method; pairs are cached). */
  normal(): number;
  /** Fisher–Yates shuffle in place (i = n−1 … 1, j = int(i + 1)); returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T;
  /** Next raw 32-bit unsigned output. */
  nextUint32(): number;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Create assay's general-purpose seeded RNG: **xoshiro128\*\*** (Blackman & Vigna, 2018; 128-bit
 * state, period 2¹²⁸ − 1), its state filled from the seed by SplitMix32. Doubles take 53 bits from two
 * outputs; `int(n)` uses masked rejection, so it is unbiased. Same seed → same stream on every
 * platform. Seeds are reduced to 32 bits (`seed >>> 0`, negative and fractional values included).
 *
 * Use {@link Mt19937} instead when a result must match numpy's `RandomState` bit for bit.
 */
export function createRng(seed = 0): Rng {
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw invalidOption("createRng", "seed", `must be a finite number, got ${String(seed)}`);
  const sm = { s: Math.trunc(seed) >>> 0 };
  let s0 = splitmix32(sm);
  let s1 = splitmix32(sm);
  let s2 = splitmix32(sm);
  let s3 = splitmix32(sm);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  let spare: number | null = null;
  const next = (): number => {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return r >>> 0;
  };
  const random = (): number => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw invalidInput("Rng.int", `n must be an integer in [1, 2^32], got ${n}`);
    return boundedMasked(next, n - 1);
  };
  return {
    nextUint32: next,
    random,
    int,
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let x1: number, x2: number, r2: number;
      do {
        x1 = 2 * random() - 1;
        x2 = 2 * random() - 1;
        r2 = x1 * x1 + x2 * x2;
      } while (r2 >= 1 || r2 === 0);
      const f = Math.sqrt((-2 * Math.log(r2)) / r2);
      spare = f * x1;
      return f * x2;
    },
    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = boundedMasked(next, i);
        const tmp = array[i];
        array[i] = array[j];
        array[j] = tmp;
      }
      return array;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform integer in [0, max] (max < 2³²) by masked rejection: numpy's legacy `random_interval`. */
function boundedMasked(next: () => number, max: number): number {
  if (max === 0) return 0;
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask >>>= 0;
  let v: number;
  do v = (next() & mask) >>> 0;
  while (v > max);
  return v;
}

const N = 624;
const M = 397;

/**
 * The 32-bit Mersenne Twister exactly as numpy's legacy `np.random.RandomState(seed)` drives it:
 * `init_genrand` seeding from a 32-bit integer, standard generation and tempering, doubles from two
 * outputs (`(a>>5)·2²⁶ + (b>>6)) / 2⁵³`), masked-rejection bounded integers, and the polar method for
 * normals with a cached second deviate. Use it wherever a reference computed with numpy must be
 * reproduced draw for draw (e.g. cleanlab's non-IID permutation test, scikit-learn's shuffled
 * `StratifiedKFold`).
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private mti = N;
  private gauss: number | null = null;
  private readonly next = (): number => this.nextUint32();

  /** @param seed - integer in [0, 2³² − 1], like `RandomState(seed)`. */
  constructor(seed = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw invalidOption("Mt19937", "seed", `must be an integer in [0, 2^32 − 1], got ${String(seed)}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.mti = N;
  }

  private generate(): void {
    const mt = this.mt;
    let kk = 0;
    let y: number;
    for (; kk < N - M; kk++) {
      y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
      mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
      mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    this.mti = 0;
  }

  /** Next tempered 32-bit output (numpy `RandomState.randint(2**32, dtype=np.uint32)` order). */
  nextUint32(): number {
    if (this.mti >= N) this.generate();
    let y = this.mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform double in [0, 1): `RandomState.random_sample()`. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, max] (max < 2³²) by masked rejection: numpy's legacy `random_interval`. */
  interval(max: number): number {
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) throw invalidInput("Mt19937.interval", `max must be an integer in [0, 2^32 − 1], got ${max}`);
    return boundedMasked(this.next, max);
  }

  /**
   * Uniform integer in [low, high) like `RandomState.randint(low, high)` (ranges up to 2³²; one
   * argument means [0, low)).
   */
  randint(low: number, high?: number): number {
    const lo = high === undefined ? 0 : low;
    const hi = high === undefined ? low : high;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo) throw invalidInput("Mt19937.randint", `needs integers low < high, got [${lo}, ${hi})`);
    const rng = hi - lo - 1;
    if (rng > 0xffffffff) throw invalidInput("Mt19937.randint", "ranges wider than 2^32 are not supported");
    if (rng === 0xffffffff) return lo + this.nextUint32();
    return lo + boundedMasked(this.next, rng);
  }

  /** Standard normal deviate: `RandomState.standard_normal()` (legacy polar method). */
  normal(): number {
    if (this.gauss !== null) {
      const g = this.gauss;
      this.gauss = null;
      return g;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.random() - 1;
      x2 = 2 * this.random() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    return f * x2;
  }

  /** In-place shuffle exactly like `RandomState.shuffle` on a 1-D array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = boundedMasked(this.next, i);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** `RandomState.permutation(n)`: a shuffled `[0, …, n−1]`. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0) throw invalidInput("Mt19937.permutation", `n must be a non-negative integer, got ${n}`);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }
}

/** `np.random.RandomState(seed).permutation(n)`, bit-exact. */
export function numpyPermutation(n: number, seed: number): Int32Array {
  return new Mt19937(seed).permutation(n);
}
