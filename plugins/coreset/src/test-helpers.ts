import { createRng } from "@assay/math";

/** Gaussian classes with the given means (each mean a d-vector) and isotropic σ; labels in order. */
export function gaussianClasses(counts: readonly number[], means: readonly (readonly number[])[], sigma: number, seed: number): { x: Float64Array; y: Int32Array; d: number } {
  const rng = createRng(seed);
  const d = means[0]!.length;
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  let i = 0;
  counts.forEach((count, c) => {
    for (let t = 0; t < count; t++, i++) {
      y[i] = c;
      for (let j = 0; j < d; j++) x[i * d + j] = means[c]![j]! + sigma * rng.normal();
    }
  });
  return { x, y, d };
}

/** Random data: n rows, d columns, K classes (uniform labels, shifted class means). */
export function randomData(n: number, d: number, K: number, seed: number): { x: Float64Array; y: Int32Array; d: number } {
  const rng = createRng(seed);
  const means = Array.from({ length: K }, () => Array.from({ length: d }, () => rng.normal()));
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % K;
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = means[c]![j]! + rng.normal() * (0.5 + (j % 3) * 0.3);
  }
  return { x, y, d };
}

/**
 * The spec's CI-20 mixture: K classes, means N(0, 1.2²), covariance L_c L_cᵀ with L_c entries
 * N(0,1)/√d times a class scale U(0.5, 1.5), uniform true labels, a share of uniform flips.
 */
export function mixtureWithFlips(n: number, d: number, K: number, flipRate: number, seed: number) {
  const rng = createRng(seed);
  const means = Array.from({ length: K }, () => Array.from({ length: d }, () => 1.2 * rng.normal()));
  const factors = Array.from({ length: K }, () => {
    const scale = 0.5 + rng.random();
    return Float64Array.from({ length: d * d }, () => (rng.normal() / Math.sqrt(d)) * scale);
  });
  const x = new Float64Array(n * d);
  const truth = new Int32Array(n);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(K);
    truth[i] = c;
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    const L = factors[c]!;
    for (let r = 0; r < d; r++) {
      let s = means[c]![r]!;
      for (let j = 0; j < d; j++) s += L[r * d + j]! * z[j]!;
      x[i * d + r] = s;
    }
  }
  const y = truth.slice();
  const flips = Math.round(flipRate * n);
  const order = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const flipped = new Set<number>();
  for (let t = 0; t < flips; t++) {
    const i = order[t]!;
    y[i] = (truth[i]! + 1 + rng.int(K - 1)) % K;
    flipped.add(i);
  }
  return { x, y, truth, flipped, d };
}

/** Precision of the top-k rows of `score` (descending) against a set of true positives. */
export function precisionAtK(score: ArrayLike<number>, truth: Set<number>, k: number): number {
  const order = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  let hit = 0;
  for (let t = 0; t < k; t++) if (truth.has(order[t]!)) hit++;
  return hit / k;
}

/** Max relative difference between two arrays over finite entries (absolute below `floor`). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    m = Math.max(m, Math.abs(x - y) / Math.max(floor, Math.abs(x), Math.abs(y)));
  }
  return m;
}
