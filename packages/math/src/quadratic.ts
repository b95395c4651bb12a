/**
 * Dense kernels for quadratic forms and Gram accumulation over row subsets, in float64: batched
 * ‖M·aᵢ‖² with a lower-triangular M (with M = L⁻¹ the Mahalanobis form aᵢᵀ(LLᵀ)⁻¹aᵢ), optionally
 * split over worker threads, and a blocked weighted lower-triangle Gram update. Both are
 * register-blocked over 4 data rows so each matrix entry loaded from memory feeds several multiply-adds.
 * @module
 */
import { runPool } from "./pool.js";

/**
 * For the listed rows i of the row-major n×p matrix `A`, write ‖M·a_i‖² to `out[i·stride + col]`,
 * where M is the p×p lower-triangular row-major matrix `lower` (entries above the diagonal are
 * ignored). With M = L⁻¹ this is the quadratic form a_iᵀ(LLᵀ)⁻¹a_i. Float64 throughout.
 */
export function lowerQuadNorms(lower: Float64Array, p: number, A: Float64Array, rows: Int32Array, out: Float64Array, stride: number, col: number): void {
  const n = rows.length;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    const o0 = rows[t]! * p;
    const o1 = rows[t + 1]! * p;
    const o2 = rows[t + 2]! * p;
    const o3 = rows[t + 3]! * p;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let q3 = 0;
    let r = 0;
    // Two rows of M at a time: each loaded entry of the 4 data rows feeds 8 multiply-adds.
    for (; r + 1 < p; r += 2) {
      const ra = r * p;
      const rb = ra + p;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = 0; j <= r; j++) {
        const la = lower[ra + j]!;
        const lb = lower[rb + j]!;
        const x0 = A[o0 + j]!;
        const x1 = A[o1 + j]!;
        const x2 = A[o2 + j]!;
        const x3 = A[o3 + j]!;
        a0 += la * x0;
        a1 += la * x1;
        a2 += la * x2;
        a3 += la * x3;
        b0 += lb * x0;
        b1 += lb * x1;
        b2 += lb * x2;
        b3 += lb * x3;
      }
      const lb = lower[rb + r + 1]!;
      b0 += lb * A[o0 + r + 1]!;
      b1 += lb * A[o1 + r + 1]!;
      b2 += lb * A[o2 + r + 1]!;
      b3 += lb * A[o3 + r + 1]!;
      q0 += a0 * a0 + b0 * b0;
      q1 += a1 * a1 + b1 * b1;
      q2 += a2 * a2 + b2 * b2;
      q3 += a3 * a3 + b3 * b3;
    }
    for (; r < p; r++) {
      const rr = r * p;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let j = 0; j <= r; j++) {
        const l = lower[rr + j]!;
        t0 += l * A[o0 + j]!;
        t1 += l * A[o1 + j]!;
        t2 += l * A[o2 + j]!;
        t3 += l * A[o3 + j]!;
      }
      q0 += t0 * t0;
      q1 += t1 * t1;
      q2 += t2 * t2;
      q3 += t3 * t3;
    }
    out[rows[t]! * stride + col] = q0;
    out[rows[t + 1]! * stride + col] = q1;
    out[rows[t + 2]! * stride + col] = q2;
    out[rows[t + 3]! * stride + col] = q3;
  }
  // Leftover rows: the same operations in the same order as one lane of the blocked loop above, so a
  // row's value does not depend on where the blocks of 4 start.
  for (; t < n; t++) {
    const i = rows[t]!;
    const o = i * p;
    let q = 0;
    let r = 0;
    for (; r + 1 < p; r += 2) {
      const ra = r * p;
      const rb = ra + p;
      let a = 0;
      let b = 0;
      for (let j = 0; j <= r; j++) {
        const x = A[o + j]!;
        a += lower[ra + j]! * x;
        b += lower[rb + j]! * x;
      }
      b += lower[rb + r + 1]! * A[o + r + 1]!;
      q += a * a + b * b;
    }
    for (; r < p; r++) {
      const rr = r * p;
      let t0 = 0;
      for (let j = 0; j <= r; j++) t0 += lower[rr + j]! * A[o + j]!;
      q += t0 * t0;
    }
    out[i * stride + col] = q;
  }
}

/**
 * Add Σ_t scale·w_t·a_t·a_tᵀ over the listed rows of the row-major n×p matrix `A` to the lower
 * triangle (j ≤ r) of the p×p row-major accumulator `G` (float64). `w` holds one weight per row of A
 * (all 1 when null).
 */
export function accumulateGramLower(G: Float64Array, p: number, A: Float64Array, rows: ArrayLike<number>, w: Float64Array | null, scale = 1): void {
  const m = rows.length;
  const tmp = new Float64Array(4 * p);
  let t = 0;
  for (; t + 3 < m; t += 4) {
    const o0 = rows[t]! * p;
    const o1 = rows[t + 1]! * p;
    const o2 = rows[t + 2]! * p;
    const o3 = rows[t + 3]! * p;
    const w0 = scale * (w === null ? 1 : w[rows[t]!]!);
    const w1 = scale * (w === null ? 1 : w[rows[t + 1]!]!);
    const w2 = scale * (w === null ? 1 : w[rows[t + 2]!]!);
    const w3 = scale * (w === null ? 1 : w[rows[t + 3]!]!);
    for (let j = 0; j < p; j++) {
      tmp[j] = A[o0 + j]!;
      tmp[p + j] = A[o1 + j]!;
      tmp[2 * p + j] = A[o2 + j]!;
      tmp[3 * p + j] = A[o3 + j]!;
    }
    for (let r = 0; r < p; r++) {
      const a0 = w0 * tmp[r]!;
      const a1 = w1 * tmp[p + r]!;
      const a2 = w2 * tmp[2 * p + r]!;
      const a3 = w3 * tmp[3 * p + r]!;
      const gr = r * p;
      for (let j = 0; j <= r; j++) {
        G[gr + j]! += a0 * tmp[j]! + a1 * tmp[p + j]! + a2 * tmp[2 * p + j]! + a3 * tmp[3 * p + j]!;
      }
    }
  }
  for (; t < m; t++) {
    const o = rows[t]! * p;
    const wt = scale * (w === null ? 1 : w[rows[t]!]!);
    for (let r = 0; r < p; r++) {
      const ar = wt * A[o + r]!;
      const gr = r * p;
      for (let j = 0; j <= r; j++) G[gr + j]! += ar * A[o + j]!;
    }
  }
}

/** Context of {@link quadNormsChunk} (structured-cloned to the workers; A and out are shared). */
interface QuadNormsContext {
  lowers: (Float64Array | null)[];
  cols: number[];
  p: number;
  A: Float64Array;
  out: Float64Array;
  stride: number;
}

/** Worker entry: {@link lowerQuadNorms} of every matrix over rows [start, end). Self-contained. */
function quadNormsChunk(ctx: QuadNormsContext, start: number, end: number): void {
  const rows = new Int32Array(end - start);
  for (let t = 0; t < rows.length; t++) rows[t] = start + t;
  for (let m = 0; m < ctx.lowers.length; m++) {
    const lower = ctx.lowers[m];
    if (lower !== null && lower !== undefined) lowerQuadNorms(lower, ctx.p, ctx.A, rows, ctx.out, ctx.stride, ctx.cols[m]!);
  }
}

/**
 * {@link lowerQuadNorms} for several lower-triangular matrices at once over rows [0, n), on `workers`
 * worker threads: `out[i·stride + cols[m]] = ‖M_m·a_i‖²` for every matrix m (null entries are skipped).
 * `A` and `out` must live on SharedArrayBuffers. Every value is computed exactly as by
 * {@link lowerQuadNorms}, so the result does not depend on the worker count.
 */
export async function lowerQuadNormsParallel(
  lowers: readonly (Float64Array | null)[],
  cols: readonly number[],
  p: number,
  A: Float64Array,
  n: number,
  out: Float64Array,
  stride: number,
  workers: number,
  signal?: AbortSignal,
): Promise<void> {
  const ctx: QuadNormsContext = { lowers: [...lowers], cols: [...cols], p, A, out, stride };
  const chunk = Math.max(64, 4 * Math.ceil(n / (8 * Math.max(1, workers)) / 4));
  await runPool({ fn: "lowerQuadNormsParallel", fns: [lowerQuadNorms, quadNormsChunk], entry: quadNormsChunk, ctx, total: n, chunk, workers, signal });
}
