import type { FilterBy, ProbMatrix } from "./types.js";

/** Build a float64 matrix from rows (tests only). */
export function mat(rows: readonly (readonly number[])[]): ProbMatrix {
  const cols = rows[0]!.length;
  return { rows: rows.length, cols, data: Float64Array.from(rows.flat()) };
}

/** Ascending indices where a mask is set. */
export function where(mask: ArrayLike<number | boolean>): number[] {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
  return out;
}

/** Dataset "E" of label-issues.md LI-10 (48 rows, 3 classes). */
export function datasetE(): { labels: Int32Array; P: ProbMatrix } {
  const n = 48;
  const labels = new Int32Array(n);
  const data = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const tr = i % 8 === 7 ? 2 : (i * 5) % 3;
    const w = [0, 1, 2].map((k) => 1 + ((7 * i + 3 * k * k + 5 * k) % 13));
    w[tr]! += 4 + (i % 6) * 2;
    const s = w[0]! + w[1]! + w[2]!;
    for (let k = 0; k < 3; k++) data[i * 3 + k] = w[k]! / s;
    labels[i] = i % 5 === 2 ? (tr + 1 + (i % 2)) % 3 : tr;
  }
  return { labels, P: { rows: n, cols: 3, data } };
}

/** Expect two numeric arrays to match within `tol`. */
export function close(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) return false;
  return true;
}

/** Issues flagged on {@link datasetE} by each `filter_by` mode with default options (label-issues.md LI-10). */
export const DATASET_E_FLAGS: Readonly<Record<FilterBy, readonly number[]>> = {
  prune_by_noise_rate: [0, 2, 7, 12, 17, 27, 32, 42],
  prune_by_class: [0, 2, 7, 12, 17, 27, 32, 42],
  both: [0, 2, 7, 12, 17, 27, 32, 42],
  confident_learning: [2, 12, 17, 27, 32, 42],
  predicted_neq_given: [0, 2, 6, 7, 12, 17, 22, 27, 30, 32, 37, 42, 47],
  low_normalized_margin: [2, 7, 12, 17, 27, 42],
  low_self_confidence: [0, 7, 12, 17, 27, 42],
};

/** Dataset "G" of datalab-issues.md DL-1 (24 rows, 3 classes). */
export function datasetG(): { X: { rows: number; cols: number; data: Float64Array }; labels: Int32Array; P: ProbMatrix } {
  const centers = [[0, 0], [5, 0], [0, 5]];
  const n = 24;
  const X = new Float64Array(n * 2);
  const labels = new Int32Array(n);
  const P = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    X[2 * i] = centers[c]![0]! + ((37 * i * i + 11 * i) % 101) / 101 - 0.5;
    X[2 * i + 1] = centers[c]![1]! + ((53 * i * i + 7 * i) % 97) / 97 - 0.5;
    labels[i] = i === 4 ? (c + 1) % 3 : c;
    const w = [0, 1, 2].map((k) => 1 + ((5 * i + 2 * k) % 4));
    w[c]! += 8;
    const s = w[0]! + w[1]! + w[2]!;
    for (let k = 0; k < 3; k++) P[i * 3 + k] = w[k]! / s;
  }
  X[42] = X[36]!;
  X[43] = X[37]!;
  X[40] = X[34]! + 0.001;
  X[41] = X[35]!;
  X[46] = 20;
  X[47] = 20;
  return { X: { rows: n, cols: 2, data: X }, labels, P: { rows: n, cols: 3, data: P } };
}

/** The float32 K = 20 dataset with many exact ties behind the cleanlab parity fixture (tests only). */
export function tiesDataset(): { labels: Int32Array; P: { rows: number; cols: number; data: Float32Array } } {
  const N = 6000;
  const K = 20;
  const data = new Float32Array(N * K);
  const labels = new Int32Array(N);
  let s = 12345;
  // 31-bit LCG (s·1103515245 + 12345 mod 2^31); Math.imul keeps the low 32 bits exactly
  const lcg = () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s >>> 8;
  };
  for (let i = 0; i < N; i++) {
    const t = i % K;
    const w = Array.from({ length: K }, () => 1 + (lcg() % 40));
    w[t]! += 15 + (lcg() % 60);
    const tot = w.reduce((a, b) => a + b, 0);
    for (let k = 0; k < K; k++) data[i * K + k] = w[k]! / tot;
    labels[i] = lcg() % 10 === 0 ? lcg() % K : t; // same draw order as the Python generator
  }
  return { labels, P: { rows: N, cols: K, data } };
}

