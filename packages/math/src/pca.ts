import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { Float32Matrix } from "@assay/core";
import { checkInt, invalidInput, invalidOption } from "./errors.js";
import { assertFinite, assertMatrix, columnMeans } from "./matrix.js";
import { JACOBI_MAX_SWEEPS, orthogonalizeRows } from "./linalg.js";
import { gram, project as projectRows } from "./gemm.js";
import { createRng } from "./rng.js";

/** Options of {@link fitPca}. */
export interface PcaOptions {
  /** Number of components m, 1 ≤ m ≤ min(rows, cols). */
  components: number;
  /**
   * `"exact"`: eigen-decomposition of the d×d covariance (or of the n×n Gram matrix when n < d);
   * `"randomized"`: Halko et al. randomized SVD with 10 oversamples and power iterations;
   * `"auto"` (default): exact when min(rows, cols) ≤ 1000 or m > 0.8·min(rows, cols), randomized otherwise.
   */
  method?: "auto" | "exact" | "randomized";
  /** Seed of the randomized solver's Gaussian test matrix (default 0). */
  seed?: number;
  /** Scale projections to unit variance (divide by √explainedVariance). Default false. */
  whiten?: boolean;
  /** Randomized solver: power iterations (default 7 when m < 0.1·min(n, d), else 4, like scikit-learn). */
  powerIterations?: number;
}

/** A fitted PCA model. */
export interface Pca {
  /** Column means of the training matrix (float64). */
  readonly mean: Float64Array;
  /**
   * Principal axes, components×cols, by decreasing variance. Sign convention (scikit-learn ≥ 1.5
   * `svd_flip(u_based_decision=False)`): in each component the entry of largest absolute value (the
   * first one on ties) is positive.
   */
  readonly components: Float32Matrix;
  /** Variance along each component (eigenvalues of the covariance, ddof 1). */
  readonly explainedVariance: Float64Array;
  /** `explainedVariance / total variance` (total = Σ column variances, ddof 1). */
  readonly explainedVarianceRatio: Float64Array;
  /** Whether {@link Pca.transform} whitens. */
  readonly whiten: boolean;
  /** Which solver produced the model. */
  readonly method: "exact" | "randomized";
  /** Project rows: `(X − mean) · componentsᵀ` (divided by √explainedVariance when whitening). */
  transform(m: Float32Matrix): Float32Matrix;
}

/**
 * Fit a PCA model in float64 arithmetic. The exact solver (d ≤ n) forms the scatter matrix with
 * {@link gram} (float64 SIMD kernel, blocks of 128 rows, no copy of the input) and solves the d×d
 * symmetric eigenproblem (Householder tridiagonalisation + implicit QL); `transform` uses
 * {@link project} (float32 sums over the d columns, written straight into the float32 output). Agrees with scikit-learn's `PCA` up to the sign of
 * each component (see {@link Pca.components} for the sign rule).
 *
 * @throws AssayError `INVALID_INPUT` for an empty matrix, fewer than 2 rows or NaN/Inf;
 * `INVALID_OPTION` for a component count outside [1, min(rows, cols)].
 */
export function fitPca(m: Float32Matrix, opts: PcaOptions): Pca {
  const fn = "fitPca";
  assertMatrix(m, "matrix", fn);
  assertFinite(m, "matrix");
  const { rows: n, cols: d } = m;
  if (n < 2) throw invalidInput(fn, `needs at least 2 rows, got ${n}`);
  const lim = Math.min(n, d);
  if (opts === null || typeof opts !== "object") throw invalidOption(fn, "components", "is required");
  checkInt(fn, "components", opts.components, 1, lim);
  const k = opts.components;
  const method = opts.method ?? "auto";
  if (method !== "auto" && method !== "exact" && method !== "randomized") throw invalidOption(fn, "method", `must be "auto", "exact" or "randomized", got ${String(method)}`);
  const resolved = method === "auto" ? (lim <= 1000 || k > 0.8 * lim ? "exact" : "randomized") : method;
  const mean = columnMeans(m);
  let totalVar = 0;
  let fit: { axes: Float64Array; ev: Float64Array }; // axes: k×d
  if (resolved === "exact" && d <= n) {
    // Scatter matrix by the blocked float64 SIMD gram kernel (no copy of X); its trace is the total variance.
    const C = gram(m, { center: mean }).data;
    for (let j = 0; j < d; j++) totalVar += C[j * d + j]! / (n - 1);
    fit = exactCovariance(C, n, d, k);
  } else {
    const colVar = centredColumnSumSquares(m, mean);
    for (let j = 0; j < d; j++) totalVar += colVar[j]! / (n - 1);
    if (resolved === "exact") fit = exactGram(m, mean, k);
    else {
      const iters = opts.powerIterations ?? (k < 0.1 * lim ? 7 : 4);
      checkInt(fn, "powerIterations", iters, 0, 100);
      fit = randomized(m, mean, k, iters, opts.seed ?? 0);
    }
  }
  const { axes, ev } = fit;
  flipSigns(axes, k, d);
  const ratio = new Float64Array(k);
  for (let c = 0; c < k; c++) ratio[c] = totalVar > 0 ? ev[c]! / totalVar : 0;
  const components: Float32Matrix = { rows: k, cols: d, data: Float32Array.from(axes) };
  const whiten = opts.whiten ?? false;
  return {
    mean,
    components,
    explainedVariance: ev,
    explainedVarianceRatio: ratio,
    whiten,
    method: resolved,
    transform: (x: Float32Matrix) => project(x, mean, axes, k, whiten ? ev : null),
  };
}

/** Fit PCA and project the same matrix: `{ model, projected }`. */
export function pca(m: Float32Matrix, opts: PcaOptions): { model: Pca; projected: Float32Matrix } {
  const model = fitPca(m, opts);
  return { model, projected: model.transform(m) };
}

function centredColumnSumSquares(m: Float32Matrix, mean: Float64Array): Float64Array {
  const { rows, cols, data } = m;
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j]! - mean[j]!;
      out[j]! += v * v;
    }
  }
  return out;
}

/**
 * Project rows onto the axes: (x − mean)·axesᵀ (÷ √variance when whitening), via the blocked SIMD
 * projection kernel writing straight into the float32 output (no float64 copy of x).
 */
function project(x: Float32Matrix, mean: Float64Array, axes: Float64Array, k: number, whitenBy: Float64Array | null): Float32Matrix {
  assertMatrix(x, "matrix", "Pca.transform", false);
  const d = mean.length;
  if (x.cols !== d) throw invalidInput("Pca.transform", `dimension mismatch: the model was fitted on ${d} columns, the matrix has ${x.cols}`);
  const W = new Float64Array(d * k); // axesᵀ, d×k, whitening folded in
  for (let c = 0; c < k; c++) {
    const scale = whitenBy === null ? 1 : whitenBy[c]! > 0 ? 1 / Math.sqrt(whitenBy[c]!) : 0;
    for (let j = 0; j < d; j++) W[j * k + c] = axes[c * d + j]! * scale;
  }
  return projectRows(x, { rows: d, cols: k, data: W }, { center: mean });
}

function toMl(flat: Float64Array, r: number, c: number): Matrix {
  const M = new Matrix(r, c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) M.set(i, j, flat[i * c + j]!);
  return M;
}

/** Top-k eigenpairs of a symmetric matrix, decreasing eigenvalue; vectors as rows of a k×s array. */
function topEigen(S: Float64Array, s: number, k: number): { values: Float64Array; vectors: Float64Array } {
  // ml-matrix's QL iteration has no iteration cap; its stopping test |e| ≤ ε·max(|d| + |e|) can only fail
  // to trigger when that bound underflows, so the matrix is scaled to max |entry| = 1 first.
  let scale = 0;
  for (let t = 0; t < S.length; t++) scale = Math.max(scale, Math.abs(S[t]!));
  if (scale === 0) return { values: new Float64Array(k), vectors: identityRows(k, s) };
  const evd = new EigenvalueDecomposition(toMl(S.map((v) => v / scale), s, s), { assumeSymmetric: true });
  const vals = evd.realEigenvalues.map((v) => v * scale);
  const V = evd.eigenvectorMatrix;
  const order = vals.map((_, i) => i).sort((a, b) => vals[b]! - vals[a]! || a - b);
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * s);
  for (let c = 0; c < k; c++) {
    const col = order[c]!;
    values[c] = Math.max(0, vals[col]!);
    for (let j = 0; j < s; j++) vectors[c * s + j] = V.get(j, col);
  }
  return { values, vectors };
}

function identityRows(k: number, s: number): Float64Array {
  const out = new Float64Array(k * s);
  for (let c = 0; c < k; c++) out[c * s + c] = 1;
  return out;
}

function exactCovariance(C: Float64Array, n: number, d: number, k: number): { axes: Float64Array; ev: Float64Array } {
  const { values, vectors } = topEigen(C, d, k);
  for (let c = 0; c < k; c++) values[c] = values[c]! / (n - 1);
  return { axes: vectors, ev: values };
}

/** n < d: eigenvectors u of the Gram matrix XcXcᵀ give axes v = Xcᵀu / ‖Xcᵀu‖. */
function exactGram(m: Float32Matrix, mean: Float64Array, k: number): { axes: Float64Array; ev: Float64Array } {
  const { rows: n, cols: d, data } = m;
  const Xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Xc[i * d + j] = data[i * d + j]! - mean[j]!;
  const G = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Xc[a * d + j]! * Xc[b * d + j]!;
      G[a * n + b] = s;
      G[b * n + a] = s;
    }
  }
  const { values, vectors } = topEigen(G, n, k);
  const axes = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    let nrm = 0;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Xc[i * d + j]! * vectors[c * n + i]!;
      axes[c * d + j] = s;
      nrm += s * s;
    }
    nrm = Math.sqrt(nrm);
    if (nrm > 0) for (let j = 0; j < d; j++) axes[c * d + j]! /= nrm;
    values[c] = values[c]! / (n - 1);
  }
  return { axes, ev: values };
}

/** Y (n×l) = Xc · W (W: d×l), centring on the fly. */
function mulXc(m: Float32Matrix, mean: Float64Array, W: Float64Array, l: number): Float64Array {
  const { rows: n, cols: d, data } = m;
  const shift = new Float64Array(l); // μᵀW
  for (let j = 0; j < d; j++) for (let c = 0; c < l; c++) shift[c]! += mean[j]! * W[j * l + c]!;
  const Y = new Float64Array(n * l);
  for (let i = 0; i < n; i++) {
    const yo = i * l;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j]!;
      if (v === 0) continue;
      const wo = j * l;
      for (let c = 0; c < l; c++) Y[yo + c]! += v * W[wo + c]!;
    }
    for (let c = 0; c < l; c++) Y[yo + c]! -= shift[c]!;
  }
  return Y;
}

/** Z (d×l) = Xcᵀ · Y (Y: n×l), centring on the fly. */
function mulXcT(m: Float32Matrix, mean: Float64Array, Y: Float64Array, l: number): Float64Array {
  const { rows: n, cols: d, data } = m;
  const colSum = new Float64Array(l);
  const Z = new Float64Array(d * l);
  for (let i = 0; i < n; i++) {
    const yo = i * l;
    for (let c = 0; c < l; c++) colSum[c]! += Y[yo + c]!;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j]!;
      if (v === 0) continue;
      const zo = j * l;
      for (let c = 0; c < l; c++) Z[zo + c]! += v * Y[yo + c]!;
    }
  }
  for (let j = 0; j < d; j++) for (let c = 0; c < l; c++) Z[j * l + c]! -= mean[j]! * colSum[c]!;
  return Z;
}

/** Orthonormalise the l columns of a rows×l array in place (modified Gram–Schmidt, twice). */
function orthonormalize(A: Float64Array, rows: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < l; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += A[i * l + c]! * A[i * l + p]!;
        for (let i = 0; i < rows; i++) A[i * l + c]! -= dot * A[i * l + p]!;
      }
      let nrm = 0;
      for (let i = 0; i < rows; i++) nrm += A[i * l + c]! * A[i * l + c]!;
      nrm = Math.sqrt(nrm);
      const inv = nrm > 1e-300 ? 1 / nrm : 0;
      for (let i = 0; i < rows; i++) A[i * l + c]! *= inv;
    }
  }
}

function randomized(m: Float32Matrix, mean: Float64Array, k: number, iters: number, seed: number): { axes: Float64Array; ev: Float64Array } {
  const { rows: n, cols: d } = m;
  const l = Math.min(k + 10, Math.min(n, d));
  const rng = createRng(seed);
  const omega = new Float64Array(d * l);
  for (let t = 0; t < omega.length; t++) omega[t] = rng.normal();
  let Q = mulXc(m, mean, omega, l);
  orthonormalize(Q, n, l);
  for (let it = 0; it < iters; it++) {
    const Z = mulXcT(m, mean, Q, l);
    orthonormalize(Z, d, l);
    Q = mulXc(m, mean, Z, l);
    orthonormalize(Q, n, l);
  }
  // B = Qᵀ Xc (l×d) = (Xcᵀ Q)ᵀ. One-sided Jacobi on B's rows (bounded, see orthogonalizeRows) turns
  // them into σᵢ·vᵢᵀ: the right singular vectors of B, i.e. the principal axes, without forming BᵀB.
  const Bt = mulXcT(m, mean, Q, l);
  let scale = 0;
  for (let t = 0; t < Bt.length; t++) scale = Math.max(scale, Math.abs(Bt[t]!));
  const inv = scale > 0 ? 1 / scale : 0;
  const B = new Float64Array(l * d);
  for (let j = 0; j < d; j++) for (let c = 0; c < l; c++) B[c * d + j] = Bt[j * l + c]! * inv;
  const s = orthogonalizeRows(B, l, d, JACOBI_MAX_SWEEPS, "fitPca");
  const order = Array.from(s.keys()).sort((a, b) => s[b]! - s[a]! || a - b);
  const axes = new Float64Array(k * d);
  const ev = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const row = order[c]!;
    const sigma = s[row]! * scale;
    ev[c] = (sigma * sigma) / (n - 1);
    if (s[row]! > 0) for (let j = 0; j < d; j++) axes[c * d + j] = B[row * d + j]! / s[row]!;
    else completeBasis(axes, c, d);
  }
  return { axes, ev };
}

/** Fill row c of `axes` with a unit vector orthogonal to rows 0..c−1 (Gram–Schmidt on e₀, e₁, …). */
function completeBasis(axes: Float64Array, c: number, d: number): void {
  for (let e = 0; e < d; e++) {
    axes.fill(0, c * d, (c + 1) * d);
    axes[c * d + e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        let dp = 0;
        for (let j = 0; j < d; j++) dp += axes[c * d + j]! * axes[p * d + j]!;
        for (let j = 0; j < d; j++) axes[c * d + j]! -= dp * axes[p * d + j]!;
      }
    }
    let nrm = 0;
    for (let j = 0; j < d; j++) nrm += axes[c * d + j]! * axes[c * d + j]!;
    if (nrm > 0.5) {
      nrm = Math.sqrt(nrm);
      for (let j = 0; j < d; j++) axes[c * d + j]! /= nrm;
      return;
    }
  }
}

/** svd_flip (v-based): make the largest-|value| entry of each component positive (first on ties). */
function flipSigns(axes: Float64Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    let best = 0;
    let arg = 0;
    for (let j = 0; j < d; j++) {
      const a = Math.abs(axes[c * d + j]!);
      if (a > best) {
        best = a;
        arg = j;
      }
    }
    if (axes[c * d + arg]! < 0) for (let j = 0; j < d; j++) axes[c * d + j] = -axes[c * d + j]!;
  }
}
