/**
 * k-means (k-means++ seeding + Lloyd iterations) and numpy's float32 reductions (pairwise summation,
 * mean, population std) reproduced bit for bit.
 */
import type { Float32Matrix } from "@assay/core";
import { invalidOption } from "./errors.js";
import { createRng } from "./rng.js";

const f32 = Math.fround;

/**
 * numpy's pairwise summation of `n` float32 values starting at `start`, with every addition rounded to
 * float32 (`np.add.reduce` on a contiguous float32 array): fewer than 8 values left to right; up to 128
 * values eight interleaved partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) plus the
 * remainder left to right; beyond that the two halves (split at a multiple of 8) recursively.
 */
export function pairwiseSumF32(values: ArrayLike<number>, start = 0, n = values.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f32(res + f32(values[start + i]!));
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = f32(values[start + j]!);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f32(r[j]! + f32(values[start + i + j]!));
    let res = f32(f32(f32(r[0]! + r[1]!) + f32(r[2]! + r[3]!)) + f32(f32(r[4]! + r[5]!) + f32(r[6]! + r[7]!)));
    for (; i < n; i++) res = f32(res + f32(values[start + i]!));
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return f32(pairwiseSumF32(values, start, half) + pairwiseSumF32(values, start + half, n - half));
}

/** `np.mean` of a float32 array: float32 pairwise sum divided by n in float32. NaN when empty. */
export function meanF32(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  return f32(pairwiseSumF32(values) / values.length);
}

/** `np.std` (population, ddof 0) of a float32 array, every step in float32 as numpy does. NaN when empty. */
export function stdF32(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const m = meanF32(values);
  const sq = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d = f32(f32(values[i]!) - m);
    sq[i] = f32(d * d);
  }
  return f32(Math.sqrt(f32(pairwiseSumF32(sq) / n)));
}

/** Options of {@link kmeans}. */
export interface KmeansOptions {
  /** Seed of the k-means++ sampling (default 0; same seed → same result). */
  seed?: number;
  /** Lloyd iterations at most (default 300). */
  maxIter?: number;
  /** Stop when the squared centre shift summed over centres is ≤ tol × mean feature variance (default 1e-4). */
  tol?: number;
  /** Candidates tried per k-means++ step (default 2 + ⌊ln k⌋, the greedy variant). */
  localTrials?: number;
}

/** Output of {@link kmeans}. */
export interface KmeansResult {
  /** Cluster of every row, numbered 0, 1, … in order of each cluster's smallest member. */
  labels: Int32Array;
  /** k × P centres (means of the members), in label order. */
  centers: Float32Matrix;
  /** Euclidean distance of every row to its own centre (float32). */
  distances: Float32Array;
  /** Sum of squared distances to the own centre. */
  inertia: number;
  /** Lloyd iterations run. */
  iterations: number;
}

/**
 * k-means: greedy k-means++ seeding (each step samples `localTrials` candidates with probability ∝ the
 * squared distance to the nearest chosen centre and keeps the one that lowers the potential most), then
 * Lloyd iterations (assign to the nearest centre, lowest index on ties; recompute means; an emptied cluster
 * is re-seeded at the row farthest from its centre) until the assignment is stable or the centres move
 * less than `tol`. Deterministic for a given seed. O(N·k·P) per iteration.
 */
export function kmeans(x: Float32Matrix, k: number, options: KmeansOptions = {}): KmeansResult {
  const N = x.rows;
  const P = x.cols;
  if (!Number.isInteger(k) || k < 1 || k > N) {
    throw invalidOption("kmeans", "k", `must be an integer in [1, ${N}], got ${k}`);
  }
  const rng = createRng(options.seed ?? 0);
  const maxIter = options.maxIter ?? 300;
  const trials = options.localTrials ?? 2 + Math.floor(Math.log(k));
  const data = x.data;
  const sq = (i: number, c: Float64Array, ci: number) => {
    let s = 0;
    for (let j = 0; j < P; j++) {
      const d = data[i * P + j]! - c[ci * P + j]!;
      s += d * d;
    }
    return s;
  };
  const rowDist2 = (a: number, b: number) => {
    let s = 0;
    for (let j = 0; j < P; j++) {
      const d = data[a * P + j]! - data[b * P + j]!;
      s += d * d;
    }
    return s;
  };
  // tolerance scaled by the mean feature variance (as scikit-learn does)
  let meanVar = 0;
  for (let j = 0; j < P; j++) {
    let m = 0;
    for (let i = 0; i < N; i++) m += data[i * P + j]!;
    m /= N;
    let v = 0;
    for (let i = 0; i < N; i++) v += (data[i * P + j]! - m) ** 2;
    meanVar += v / N;
  }
  const tol = (options.tol ?? 1e-4) * (P > 0 ? meanVar / P : 0);

  // k-means++ (greedy)
  const centers = new Float64Array(k * P);
  const setCenter = (c: number, row: number) => {
    for (let j = 0; j < P; j++) centers[c * P + j] = data[row * P + j]!;
  };
  const first = rng.int(N);
  setCenter(0, first);
  const closest = new Float64Array(N);
  for (let i = 0; i < N; i++) closest[i] = rowDist2(i, first);
  const candidate = new Float64Array(N);
  for (let c = 1; c < k; c++) {
    let potential = 0;
    for (let i = 0; i < N; i++) potential += closest[i]!;
    let bestRow = -1;
    let bestPotential = Number.POSITIVE_INFINITY;
    let bestDist: Float64Array | null = null;
    for (let t = 0; t < trials; t++) {
      let row: number;
      if (potential > 0) {
        const target = rng.random() * potential;
        let acc = 0;
        row = N - 1;
        for (let i = 0; i < N; i++) {
          acc += closest[i]!;
          if (acc > target) {
            row = i;
            break;
          }
        }
      } else row = rng.int(N);
      let pot = 0;
      for (let i = 0; i < N; i++) {
        const d = Math.min(closest[i]!, rowDist2(i, row));
        candidate[i] = d;
        pot += d;
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestRow = row;
        bestDist = Float64Array.from(candidate);
      }
    }
    setCenter(c, bestRow);
    closest.set(bestDist!);
  }

  // Lloyd
  const labels = new Int32Array(N).fill(-1);
  const counts = new Float64Array(k);
  const sums = new Float64Array(k * P);
  /** Assign every row to its nearest centre (lowest index on ties); returns how many rows changed. */
  const assign = (): number => {
    let changed = 0;
    for (let i = 0; i < N; i++) {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const d = sq(i, centers, c);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      if (labels[i] !== best) changed++;
      labels[i] = best;
    }
    return changed;
  };
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    iterations = it + 1;
    let changed = assign();
    counts.fill(0);
    sums.fill(0);
    for (let i = 0; i < N; i++) {
      const c = labels[i]!;
      counts[c]!++;
      for (let j = 0; j < P; j++) sums[c * P + j]! += data[i * P + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) continue;
      // re-seed an empty cluster at the row farthest from its own centre
      let far = 0;
      let farD = -1;
      for (let i = 0; i < N; i++) {
        if (counts[labels[i]!]! <= 1) continue;
        const d = sq(i, centers, labels[i]!);
        if (d > farD) {
          farD = d;
          far = i;
        }
      }
      const old = labels[far]!;
      counts[old]!--;
      for (let j = 0; j < P; j++) sums[old * P + j]! -= data[far * P + j]!;
      labels[far] = c;
      counts[c] = 1;
      for (let j = 0; j < P; j++) sums[c * P + j] = data[far * P + j]!;
      changed++;
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < P; j++) {
        const m = sums[c * P + j]! / counts[c]!;
        shift += (m - centers[c * P + j]!) ** 2;
        centers[c * P + j] = m;
      }
    }
    if (changed === 0 || shift <= tol) break;
  }
  assign(); // final assignment to the final centres
  // renumber by smallest member; recompute centres of the final assignment
  const rename = new Int32Array(k).fill(-1);
  let next = 0;
  for (let i = 0; i < N; i++) if (rename[labels[i]!] === -1) rename[labels[i]!] = next++;
  for (let c = 0; c < k; c++) if (rename[c] === -1) rename[c] = next++;
  const out = new Int32Array(N);
  const cnt = new Float64Array(k);
  const acc = new Float64Array(k * P);
  for (let i = 0; i < N; i++) {
    const c = rename[labels[i]!]!;
    out[i] = c;
    cnt[c]!++;
    for (let j = 0; j < P; j++) acc[c * P + j]! += data[i * P + j]!;
  }
  const cdata = new Float32Array(k * P);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < P; j++) {
      const old = rename.indexOf(c);
      cdata[c * P + j] = cnt[c]! > 0 ? acc[c * P + j]! / cnt[c]! : centers[old * P + j]!;
    }
  }
  const distances = new Float32Array(N);
  let inertia = 0;
  for (let i = 0; i < N; i++) {
    const c = out[i]!;
    let s = 0;
    for (let j = 0; j < P; j++) {
      const d = data[i * P + j]! - cdata[c * P + j]!;
      s += d * d;
    }
    inertia += s;
    distances[i] = Math.sqrt(s);
  }
  return { labels: out, centers: { rows: k, cols: P, data: cdata }, distances, inertia, iterations };
}
