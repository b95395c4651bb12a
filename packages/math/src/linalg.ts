/*
 * Small dense linear algebra in float64: Cholesky (with jitter), triangular solves and inverses,
 * quadratic forms, and singular values (tall-skinny QR, then one-sided Jacobi with a sweep cap).
 * Matrices are row-major Float64Arrays with their size passed explicitly.
 */
import { invalidInput } from "./errors.js";

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

/** Sweep cap of {@link orthogonalizeRows} (LAPACK's one-sided Jacobi `dgesvj` stops at 30). */
export const JACOBI_MAX_SWEEPS = 60;

/**
 * One-sided (Hestenes) Jacobi on the rows of the r×c row-major `a`, in place: plane rotations of
 * row pairs, cyclic by pairs, until every pair is orthogonal to working precision
 * (|xᵢ·xⱼ| ≤ c·ε·‖xᵢ‖·‖xⱼ‖). Rotations from the left leave Aᵀ·A's row space intact, so on return the
 * rows are σᵢ·vᵢᵀ (singular values times right singular vectors) in some order; the result is the row
 * norms. Converges fastest with r ≤ c (reduce a tall matrix with {@link tallSkinnyR} first).
 * Every sweep is bounded work, and after `maxSweeps` sweeps without convergence it throws instead of
 * looping. Entries should be scaled so squares neither overflow nor underflow (|a| ≤ 1 is ideal).
 *
 * @throws AssayError `INVALID_INPUT` "did not converge after N sweeps".
 */
export function orthogonalizeRows(a: Float64Array, r: number, c: number, maxSweeps = JACOBI_MAX_SWEEPS, fn = "orthogonalizeRows"): Float64Array {
  const tol = Math.max(c, 1) * 2.220446049250313e-16;
  const norms = new Float64Array(r);
  // An exactly zero row stays zero under every rotation (its pairs are skipped), so leave it out.
  const live: number[] = [];
  for (let i = 0; i < r; i++) if (dot(a, i * c, a, i * c, c) > 0) live.push(i);
  const m = live.length;
  let converged = m < 2;
  for (let sweep = 0; sweep < maxSweeps && !converged; sweep++) {
    converged = true;
    for (let ip = 0; ip < m - 1; ip++) {
      const op = live[ip]! * c;
      for (let iq = ip + 1; iq < m; iq++) {
        const oq = live[iq]! * c;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let j = 0; j < c; j++) {
          const x = a[op + j]!;
          const y = a[oq + j]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (alpha === 0 || beta === 0) continue;
        if (!(Math.abs(gamma) > tol * Math.sqrt(alpha) * Math.sqrt(beta))) continue;
        converged = false;
        // tan θ = t, the smaller root of t² + 2ζt − 1 = 0 with ζ = (β − α)/(2γ): makes the pair orthogonal.
        const zeta = (beta - alpha) / (2 * gamma);
        const az = Math.abs(zeta);
        const t = (zeta >= 0 ? 1 : -1) / (az > 1e150 ? 2 * az : az + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        for (let j = 0; j < c; j++) {
          const x = a[op + j]!;
          const y = a[oq + j]!;
          a[op + j] = cs * x - sn * y;
          a[oq + j] = sn * x + cs * y;
        }
      }
    }
  }
  if (!converged) {
    throw invalidInput(fn, `one-sided Jacobi SVD did not converge after ${maxSweeps} sweeps (${r}×${c} matrix)`, { rows: r, cols: c, sweeps: maxSweeps });
  }
  for (let i = 0; i < r; i++) norms[i] = Math.sqrt(dot(a, i * c, a, i * c, c));
  return norms;
}

/**
 * Eigenvalues (ascending) of the symmetric n×n row-major matrix `a` (only its lower triangle is
 * read; `a` is not modified): Householder reduction to tridiagonal form, then the implicit QL
 * iteration with Wilkinson-type shifts, values only — about (4/3)·n³ flops. Backward stable:
 * every value is within a small multiple of n·ε·‖a‖₂ of the exact one.
 *
 * @throws AssayError `INVALID_INPUT` when QL needs more than 60 iterations for one value (not
 * observed for finite input).
 */
export function symmetricEigenvalues(a: Float64Array, n: number, fn = "symmetricEigenvalues"): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = a[i * n + j]!;
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[k]: entry (k + 1, k) of the tridiagonal matrix
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    // Householder vector for column k below the diagonal: H·x = α·e₁.
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += A[i * n + k]! * A[i * n + k]!;
    d[k] = A[k * n + k]!;
    if (norm2 === 0) {
      e[k] = 0;
      continue;
    }
    const x0 = A[(k + 1) * n + k]!;
    const alpha = x0 > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    e[k] = alpha;
    let vn2 = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = A[i * n + k]! - (i === k + 1 ? alpha : 0);
      vn2 += v[i]! * v[i]!;
    }
    if (vn2 === 0) continue;
    const inv = 1 / Math.sqrt(vn2);
    for (let i = k + 1; i < n; i++) v[i]! *= inv;
    // B ← H·B·H on the trailing block: p = 2Bv, K = vᵀp, q = p − Kv, B −= v·qᵀ + q·vᵀ (lower triangle).
    let K = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += A[i * n + j]! * v[j]!;
      p[i] = 2 * s;
      K += v[i]! * p[i]!;
    }
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - K * v[i]!;
    for (let i = k + 1; i < n; i++) {
      const vi = v[i]!;
      const qi = p[i]!;
      for (let j = k + 1; j <= i; j++) {
        const val = A[i * n + j]! - vi * p[j]! - qi * v[j]!;
        A[i * n + j] = val;
        A[j * n + i] = val;
      }
    }
  }
  if (n >= 2) {
    d[n - 2] = A[(n - 2) * n + n - 2]!;
    e[n - 2] = A[(n - 1) * n + n - 2]!;
  }
  if (n >= 1) d[n - 1] = A[(n - 1) * n + n - 1]!;
  e[n - 1] = 0;
  // Implicit QL (tqli) on d, e.
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= 2.220446049250313e-16 * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw invalidInput(fn, `QL iteration did not converge (${n}×${n} matrix)`, { size: n });
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.hypot(g, 1);
        g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
        let s = 1;
        let c = 1;
        let pp = 0;
        let i = m - 1;
        for (; i >= l; i--) {
          const f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1]! -= pp;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - pp;
          r = (d[i]! - g) * s + 2 * c * b;
          pp = s * r;
          d[i + 1] = g + pp;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l]! -= pp;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  return d.sort();
}

function isSymmetric(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (a[i * n + j] !== a[j * n + i]) return false;
  return true;
}

/**
 * Singular values (descending, min(rows, cols) of them) of a small dense row-major matrix. An
 * exactly symmetric square matrix takes the eigenvalue route ({@link symmetricEigenvalues}; σ = |λ|,
 * accurate to a small multiple of n·ε relative to the largest value). Otherwise a tall
 * matrix is first reduced to its R factor ({@link tallSkinnyR}), then the rows of the (scaled) short
 * side are orthogonalised by one-sided Jacobi ({@link orthogonalizeRows}), which is accurate to a few
 * ulps relative to the largest value and bounded: it throws rather than loop.
 *
 * @throws AssayError `INVALID_INPUT` for a NaN/±Infinity entry (naming row and column), a size that
 * does not match `data`, or when Jacobi does not converge within {@link JACOBI_MAX_SWEEPS} sweeps.
 */
export function singularValues(data: Float64Array, rows: number, cols: number): Float64Array {
  const fn = "singularValues";
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || data.length < rows * cols) {
    throw invalidInput(fn, `a ${rows}×${cols} matrix needs ${rows * cols} values, got ${data.length}`, { rows, cols });
  }
  const count = Math.min(rows, cols);
  if (count === 0) return new Float64Array(0);
  let scale = 0;
  for (let i = 0; i < rows * cols; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw invalidInput(fn, `entry (${Math.floor(i / cols)}, ${i % cols}) is ${v}`, { row: Math.floor(i / cols), col: i % cols });
    const av = Math.abs(v);
    if (av > scale) scale = av;
  }
  if (scale === 0) return new Float64Array(count);
  const inv = 1 / scale;
  if (rows === cols && isSymmetric(data, rows)) {
    // Symmetric input (scatter/covariance matrices): singular values are |eigenvalues|, from the
    // tridiagonal QL eigensolver — O(n³) once instead of Jacobi sweeps, same absolute accuracy.
    const scaled = new Float64Array(rows * rows);
    for (let i = 0; i < rows * rows; i++) scaled[i] = data[i]! * inv;
    const ev = symmetricEigenvalues(scaled, rows, fn);
    for (let i = 0; i < rows; i++) ev[i] = Math.abs(ev[i]!) * scale;
    return ev.sort().reverse();
  }
  let work: Float64Array;
  let r: number;
  if (rows <= cols) {
    work = new Float64Array(rows * cols);
    for (let i = 0; i < rows * cols; i++) work[i] = data[i]! * inv;
    r = rows;
  } else {
    ({ r: work, rows: r } = tallSkinnyR(rows, cols, (i, out) => {
      for (let c = 0; c < cols; c++) out[c] = data[i * cols + c]! * inv;
    }));
  }
  const norms = orthogonalizeRows(work, r, cols, JACOBI_MAX_SWEEPS, fn);
  const out = new Float64Array(count);
  for (let i = 0; i < r; i++) out[i] = norms[i]! * scale;
  return out.sort().reverse();
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

/**
 * Inverse of a small dense square matrix (row-major, `size`×`size`) by Gauss–Jordan elimination with
 * partial pivoting. A singular matrix (an exactly zero pivot) gives a matrix of NaN rather than throwing.
 */
export function invertSquare(m: ArrayLike<number>, size: number): Float64Array {
  const a = Float64Array.from(m as ArrayLike<number>);
  const inv = new Float64Array(size * size);
  for (let i = 0; i < size; i++) inv[i * size + i] = 1;
  for (let c = 0; c < size; c++) {
    let p = c;
    for (let r = c + 1; r < size; r++) if (Math.abs(a[r * size + c]!) > Math.abs(a[p * size + c]!)) p = r;
    const pv = a[p * size + c]!;
    if (pv === 0) return inv.fill(Number.NaN);
    if (p !== c) {
      for (let j = 0; j < size; j++) {
        let t = a[c * size + j]!;
        a[c * size + j] = a[p * size + j]!;
        a[p * size + j] = t;
        t = inv[c * size + j]!;
        inv[c * size + j] = inv[p * size + j]!;
        inv[p * size + j] = t;
      }
    }
    for (let j = 0; j < size; j++) {
      a[c * size + j]! /= pv;
      inv[c * size + j]! /= pv;
    }
    for (let r = 0; r < size; r++) {
      if (r === c) continue;
      const f = a[r * size + c]!;
      if (f === 0) continue;
      for (let j = 0; j < size; j++) {
        a[r * size + j]! -= f * a[c * size + j]!;
        inv[r * size + j]! -= f * inv[c * size + j]!;
      }
    }
  }
  return inv;
}
