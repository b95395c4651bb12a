import type { ProbMatrix } from "./types.js";

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
