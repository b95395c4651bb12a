/**
 * Small dense linear algebra and hashing helpers that @assay/math does not have yet. Generic numerics:
 * the lead moves them to @assay/math.
 * @module
 */

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

const MASK64 = (1n << 64n) - 1n;

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

/** SplitMix64 finaliser of a 64-bit value (BigInt in, BigInt out, both in [0, 2⁶⁴)). */
export function splitmix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/**
 * A deterministic uniform in (0, 1) for the pair (seed, key): SplitMix64 of the seed, mixed with the
 * key and hashed again; the top 53 bits are used, and 0 maps to 2⁻⁵⁴ so the value is never 0.
 */
export function hashUniform(seed: number, key: number): number {
  const s = splitmix64(BigInt.asUintN(64, BigInt(Math.trunc(seed))));
  const h = splitmix64(s ^ BigInt.asUintN(64, BigInt(Math.trunc(key))));
  const top = Number(h >> 11n);
  return top === 0 ? 2 ** -54 : top / 9007199254740992;
}

/**
 * Largest-remainder rounding of non-negative `shares` to integers summing to `total` (shares are
 * scaled to sum to `total`). Ties in the remainder go to the lower index. All-zero shares split evenly.
 */
export function largestRemainder(shares: ArrayLike<number>, total: number): Int32Array {
  const k = shares.length;
  const out = new Int32Array(k);
  if (k === 0 || total <= 0) return out;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += shares[i]!;
  const exact = new Float64Array(k);
  for (let i = 0; i < k; i++) exact[i] = sum > 0 ? (shares[i]! * total) / sum : total / k;
  let assigned = 0;
  for (let i = 0; i < k; i++) {
    out[i] = Math.floor(exact[i]! + 1e-12);
    assigned += out[i]!;
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => {
    const ra = exact[a]! - out[a]!;
    const rb = exact[b]! - out[b]!;
    return rb !== ra ? rb - ra : a - b;
  });
  for (let r = 0; assigned < total; r = (r + 1) % k) {
    out[order[r]!]!++;
    assigned++;
  }
  return out;
}
