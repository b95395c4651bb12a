import type { Float32Matrix } from "@assay/core";
import { invalidInput } from "./errors.js";

/** Result of {@link centredScatter}. */
export interface CentredScatter {
  /** Column means of the selected rows (float64, length d). */
  readonly mean: Float64Array;
  /** Σ (xᵢ − μ)(xᵢ − μ)ᵀ over the selected rows, d×d row-major, float64, symmetric. */
  readonly scatter: Float64Array;
  /** Number of rows summed. */
  readonly count: number;
}

/**
 * Mean and centred scatter matrix `Σ (xᵢ − μ)(xᵢ − μ)ᵀ` of a subset of rows, entirely in float64
 * (two passes: the mean, then the centred products, four rows at a time), without copying the rows.
 * Its eigenvalues divided by (count − 1) are the covariance spectrum; add `count·μμᵀ` for the
 * uncentred `XᵀX`. Rounding error per entry ≲ count·2⁻⁵³·Σ|x − μ|², far below float32-accumulated
 * Gram matrices, so eigenvalue ratios down to ~1e-12 are meaningful.
 *
 * @param rows row indices to use (default: all rows, in order)
 * @throws AssayError `INVALID_INPUT` for an out-of-range row index or an empty selection.
 */
export function centredScatter(m: { readonly rows: number; readonly cols: number; readonly data: Float32Array | Float64Array } | Float32Matrix, rows?: ArrayLike<number>): CentredScatter {
  const { cols: d, data } = m;
  const count = rows === undefined ? m.rows : rows.length;
  if (count < 1) throw invalidInput("centredScatter", "needs at least one row");
  const at = (t: number): number => {
    const i = rows === undefined ? t : rows[t]!;
    if (!(i >= 0 && i < m.rows) || !Number.isInteger(i)) throw invalidInput("centredScatter", `row index ${i} is outside [0, ${m.rows})`, { row: i });
    return i * d;
  };
  const mean = new Float64Array(d);
  for (let t = 0; t < count; t++) {
    const o = at(t);
    for (let j = 0; j < d; j++) mean[j]! += data[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= count;
  const S = new Float64Array(d * d);
  const r0 = new Float64Array(d);
  const r1 = new Float64Array(d);
  const r2 = new Float64Array(d);
  const r3 = new Float64Array(d);
  let t = 0;
  for (; t + 3 < count; t += 4) {
    const o0 = at(t);
    const o1 = at(t + 1);
    const o2 = at(t + 2);
    const o3 = at(t + 3);
    for (let j = 0; j < d; j++) {
      const mu = mean[j]!;
      r0[j] = data[o0 + j]! - mu;
      r1[j] = data[o1 + j]! - mu;
      r2[j] = data[o2 + j]! - mu;
      r3[j] = data[o3 + j]! - mu;
    }
    for (let a = 0; a < d; a++) {
      const a0 = r0[a]!;
      const a1 = r1[a]!;
      const a2 = r2[a]!;
      const a3 = r3[a]!;
      const base = a * d;
      for (let b = a; b < d; b++) S[base + b]! += a0 * r0[b]! + a1 * r1[b]! + a2 * r2[b]! + a3 * r3[b]!;
    }
  }
  for (; t < count; t++) {
    const o = at(t);
    for (let j = 0; j < d; j++) r0[j] = data[o + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const a0 = r0[a]!;
      const base = a * d;
      for (let b = a; b < d; b++) S[base + b]! += a0 * r0[b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) S[a * d + b] = S[b * d + a]!;
  return { mean, scatter: S, count };
}
