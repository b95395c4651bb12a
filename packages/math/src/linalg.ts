/*
 * Small dense linear algebra in float64: Cholesky (with jitter), triangular solves and inverses,
 * quadratic forms, and singular values (tall-skinny QR, then ml-matrix's SVD of the small R factor).
 * Matrices are row-major Float64Arrays with their size passed explicitly.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";

/**
 * In-place Cholesky factorisation of a symmetric positive-definite p×p matrix stored row-major in
 * `a` (only the lower triangle is read). On success the lower triangle holds L with A = L·Lᵀ, the
 * strict upper triangle is zeroed, and the function returns true; it returns false (leaving `a`
 * partially overwritten) when a pivot is not strictly positive.
 */
export function choleskyInPlace(a: Float64Array, p: number): boolean {
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    let diag = a[rj + j]!;
    for (let k = 0; k < j; k++) diag -= a[rj + k]! * a[rj + k]!;
    if (!(diag > 0) || !Number.isFinite(diag)) return false;
    const ljj = Math.sqrt(diag);
    a[rj + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
    for (let k = j + 1; k < p; k++) a[rj + k] = 0;
  }
  return true;
}

/**
 * Cholesky of `a` (p×p, symmetric) with diagonal jitter: tries A, then A + ε·I with
 * ε = 1e-10·tr(A)/p doubled up to `retries` times. Returns the factor L (row-major, lower) or null.
 */
export function choleskyWithJitter(a: Float64Array, p: number, retries = 10): Float64Array | null {
  const l = Float64Array.from(a);
  if (choleskyInPlace(l, p)) return l;
  let trace = 0;
  for (let i = 0; i < p; i++) trace += a[i * p + i]!;
  let eps = (1e-10 * Math.abs(trace)) / p || 1e-10;
  for (let attempt = 0; attempt < retries; attempt++) {
    l.set(a);
    for (let i = 0; i < p; i++) l[i * p + i]! += eps;
    if (choleskyInPlace(l, p)) return l;
    eps *= 2;
  }
  return null;
}

/** Inverse of a lower-triangular p×p matrix L (row-major); the result is lower-triangular. */
export function invertLower(l: Float64Array, p: number): Float64Array {
  const inv = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    inv[j * p + j] = 1 / l[j * p + j]!;
    for (let i = j + 1; i < p; i++) {
      let s = 0;
      const ri = i * p;
      for (let k = j; k < i; k++) s -= l[ri + k]! * inv[k * p + j]!;
      inv[ri + j] = s / l[ri + i]!;
    }
  }
  return inv;
}

/** Solve L·x = b for lower-triangular L (row-major); writes x into `out` (may alias b). */
export function forwardSolve(l: Float64Array, p: number, b: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    const ri = i * p;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * out[k]!;
    out[i] = s / l[ri + i]!;
  }
  return out;
}

/** Solve Lᵀ·x = b for lower-triangular L (row-major); writes x into `out` (may alias b). */
export function backSolveTransposed(l: Float64Array, p: number, b: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * out[k]!;
    out[i] = s / l[i * p + i]!;
  }
  return out;
}

/**
 * ‖B·a‖² for a lower-triangular p×p B (row-major) and a vector a, i.e. aᵀ(BᵀB)a. With B = L⁻¹ this is
 * aᵀ(L·Lᵀ)⁻¹a in p²/2 multiply-adds.
 */
export function lowerQuadNorm(b: Float64Array, p: number, a: ArrayLike<number>, aOffset = 0): number {
  let q = 0;
  for (let r = 0; r < p; r++) {
    const rr = r * p;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j + 3 <= r; j += 4) {
      s0 += b[rr + j]! * a[aOffset + j]!;
      s1 += b[rr + j + 1]! * a[aOffset + j + 1]!;
      s2 += b[rr + j + 2]! * a[aOffset + j + 2]!;
      s3 += b[rr + j + 3]! * a[aOffset + j + 3]!;
    }
    for (; j <= r; j++) s0 += b[rr + j]! * a[aOffset + j]!;
    const s = s0 + s1 + s2 + s3;
    q += s * s;
  }
  return q;
}

/** Dot product of `len` entries of x (from xOffset) and y (from yOffset), four accumulators. */
export function dot(x: ArrayLike<number>, xOffset: number, y: ArrayLike<number>, yOffset: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    s0 += x[xOffset + j]! * y[yOffset + j]!;
    s1 += x[xOffset + j + 1]! * y[yOffset + j + 1]!;
    s2 += x[xOffset + j + 2]! * y[yOffset + j + 2]!;
    s3 += x[xOffset + j + 3]! * y[yOffset + j + 3]!;
  }
  for (; j < len; j++) s0 += x[xOffset + j]! * y[yOffset + j]!;
  return s0 + s1 + s2 + s3;
}

/**
 * The R factor (min(n, p) × p, row-major, upper triangular) of the n×p matrix whose rows `row(i, out)`
 * writes into `out` (float64), without materialising it: Householder QR over blocks of rows, carrying
 * only R between blocks (tall-skinny QR). About 2·n·p² flops, O(p²) memory besides one block.
 */
export function tallSkinnyR(n: number, p: number, row: (i: number, out: Float64Array) => void): { r: Float64Array; rows: number } {
  const block = Math.max(4 * p, 256);
  const m = p + block;
  const a = new Float64Array(m * p); // column-major: a[i + c * m]
  const buffer = new Float64Array(p);
  let carried = 0;
  let i = 0;
  do {
    let filled = carried;
    for (; filled < m && i < n; filled++, i++) {
      row(i, buffer);
      for (let c = 0; c < p; c++) a[filled + c * m] = buffer[c]!;
    }
    carried = householderInPlace(a, m, filled, p);
  } while (i < n);
  const r = new Float64Array(carried * p);
  for (let x = 0; x < carried; x++) for (let c = x; c < p; c++) r[x * p + c] = a[x + c * m]!;
  return { r, rows: carried };
}

/** Householder QR of the top `rows` rows of the column-major m×p buffer; leaves R in its top rows and returns R's row count. */
function householderInPlace(a: Float64Array, m: number, rows: number, p: number): number {
  const steps = Math.min(rows, p);
  for (let j = 0; j < steps; j++) {
    const cj = j * m;
    let norm2 = 0;
    for (let x = j; x < rows; x++) norm2 += a[x + cj]! * a[x + cj]!;
    if (norm2 === 0) continue;
    const head = a[j + cj]!;
    const alpha = head > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    const v0 = head - alpha;
    const vnorm2 = norm2 - head * head + v0 * v0;
    a[j + cj] = v0;
    if (vnorm2 > 0) {
      for (let c = j + 1; c < p; c++) {
        const cc = c * m;
        let dot = 0;
        for (let x = j; x < rows; x++) dot += a[x + cj]! * a[x + cc]!;
        const f = (2 * dot) / vnorm2;
        if (f === 0) continue;
        for (let x = j; x < rows; x++) a[x + cc]! -= f * a[x + cj]!;
      }
    }
    a[j + cj] = alpha;
    for (let x = j + 1; x < rows; x++) a[x + cj] = 0;
  }
  return steps;
}

/** Singular values (descending) of a small dense row-major matrix. */
export function singularValues(data: Float64Array, rows: number, cols: number): Float64Array {
  if (rows === 0 || cols === 0) return new Float64Array(0);
  const mat = new Matrix(rows, cols);
  for (let x = 0; x < rows; x++) for (let c = 0; c < cols; c++) mat.set(x, c, data[x * cols + c]!);
  const svd = new SingularValueDecomposition(mat, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true });
  return Float64Array.from(svd.diagonal, (v) => Math.max(0, v)).sort().reverse();
}

/**
 * Singular values (descending) of the n×d matrix given row by row (see {@link tallSkinnyR}): the SVD
 * of its R factor, so values come from X itself, never from XᵀX.
 */
export function singularValuesOfRows(n: number, d: number, row: (i: number, out: Float64Array) => void): Float64Array {
  if (n === 0 || d === 0) return new Float64Array(0);
  const { r, rows } = tallSkinnyR(n, d, row);
  return singularValues(r, rows, d);
}
