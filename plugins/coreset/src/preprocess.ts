import { AssayError } from "@assay/core";
import { fitPca } from "@assay/math";

const PLUGIN = "@assay/coreset";

/**
 * The frozen feature map of a coreset index: weighted standardisation, then (when the input has more
 * than `maxDim` columns) a projection onto the top principal axes of the standardised data. It is fitted
 * once at build and kept fixed through edits, so an edited index and a fresh build that reuses it see
 * identical augmented rows.
 */
export interface Preprocessing {
  /** Input dimension d. */
  readonly inputDim: number;
  /** Weighted column means (length d). */
  readonly mean: Float64Array;
  /** Weighted column standard deviations (ddof 0; 1 where below 1e-12). */
  readonly scale: Float64Array;
  /** Projection axes r×d (row-major), or null when no projection is used (r = d). */
  readonly projection: Float64Array | null;
  /** Feature dimension r after the projection. */
  readonly dim: number;
}

/** Throw `INVALID_INPUT` naming the first non-finite entry of X. */
export function assertFiniteRows(x: ArrayLike<number>, rows: number, cols: number, what = "X"): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = x[o + j]!;
      if (!Number.isFinite(v)) {
        throw new AssayError("INVALID_INPUT", `${what} row ${i}, column ${j} is ${String(v)}; features must be finite numbers`, {
          plugin: PLUGIN,
          details: { row: i, column: j, value: String(v) },
        });
      }
    }
  }
}

/** Fit the standardisation (and the projection when d > maxDim) on X with sample weights w. */
export function fitPreprocessing(x: ArrayLike<number>, rows: number, cols: number, weights: Float64Array, maxDim: number): Preprocessing {
  const mean = new Float64Array(cols);
  let wsum = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights[i]!;
    wsum += w;
    const o = i * cols;
    for (let j = 0; j < cols; j++) mean[j]! += w * x[o + j]!;
  }
  for (let j = 0; j < cols; j++) mean[j]! /= wsum;
  const scale = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const w = weights[i]!;
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = x[o + j]! - mean[j]!;
      scale[j]! += w * v * v;
    }
  }
  for (let j = 0; j < cols; j++) {
    const s = Math.sqrt(scale[j]! / wsum);
    scale[j] = s < 1e-12 ? 1 : s;
  }
  if (!(cols > maxDim) || rows < 2) return { inputDim: cols, mean, scale, projection: null, dim: cols };
  const r = Math.min(maxDim, rows);
  const z = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) z[o + j] = (x[o + j]! - mean[j]!) / scale[j]!;
  }
  const model = fitPca({ rows, cols, data: z }, { components: r, method: "exact" });
  return { inputDim: cols, mean, scale, projection: Float64Array.from(model.components.data), dim: r };
}

/**
 * Map input rows to augmented rows a = [z, 1] (length dim + 1), written into `out` starting
 * at row `outRow`.
 */
export function augmentRows(pre: Preprocessing, x: ArrayLike<number>, rows: number, out: Float64Array, outRow: number): void {
  const d = pre.inputDim;
  const p = pre.dim + 1;
  const z = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) z[j] = (x[o + j]! - pre.mean[j]!) / pre.scale[j]!;
    const t = (outRow + i) * p;
    if (pre.projection === null) {
      for (let j = 0; j < d; j++) out[t + j] = z[j]!;
    } else {
      const axes = pre.projection;
      for (let c = 0; c < pre.dim; c++) {
        let s = 0;
        const ro = c * d;
        for (let j = 0; j < d; j++) s += axes[ro + j]! * z[j]!;
        out[t + c] = s;
      }
    }
    out[t + p - 1] = 1;
  }
}
