/**
 * Hot loops over pred_probs rows. Each kernel reads the matrix once and validates the value range
 * ([−1e-6, 1+1e-6], no NaN) in the same pass as it computes, so a call reads every probability once.
 * Kernels work on a row range `[row0, row1)` of a flat row-major block so the chunked path reuses them.
 */
import { invalidInput } from "./errors.js";
import { entropyScore, f32AtLeast, foldLeaves, pairwiseLeaves, type RowsKernel, rowsKernel } from "./rows-wasm.js";
import type { ScoreArray } from "./types.js";

/** Below this many values a block is scanned in JavaScript (the WebAssembly call and copies do not pay off). */
const WASM_MIN = 4096;


/** Throw the INVALID_INPUT error for an out-of-range value at flat position `idx` (row offset `rowBase`). */
export function rangeError(v: number, idx: number, K: number, rowBase = 0, name = "pred_probs"): never {
  const row = rowBase + Math.floor(idx / K);
  const col = idx % K;
  const what = Number.isNaN(v) ? "is NaN" : v < 0 ? `is negative (${v})` : `is ${v}, above 1`;
  throw invalidInput(`${name}[${row}][${col}] ${what}; probabilities must lie in [0, 1]`, { row, col, value: v });
}

/** Check every value of `P` lies in [−1e-6, 1+1e-6] (INVALID_INPUT naming the first bad row/column). */
export function scanRange(P: Float32Array | Float64Array, K: number, rowBase = 0, name = "pred_probs"): void {
  if (P instanceof Float32Array && P.length >= WASM_MIN && inRangeWasm(P, K)) return;
  // a value out of range (or no WebAssembly): the scalar scan finds the first and reports it
  const len = P.length;
  for (let i = 0; i < len; i++) {
    const v = P[i]!;
    if (!(v >= -1e-6 && v <= 1 + 1e-6)) rangeError(v, i, K, rowBase, name);
  }
}

/** Whether every value of float32 rows (K per row) lies in [−1e-6, 1 + 1e-6], by the SIMD range check; false also without WebAssembly. */
function inRangeWasm(P: Float32Array, K: number): boolean {
  const wk = rowsKernel(K, P);
  if (wk === null) return false;
  try {
    const rows = P.length / K;
    for (let r0 = 0; r0 < rows; r0 += wk.R) if (wk.scan(P, r0 * K, Math.min(wk.R, rows - r0)) === null) return false;
    return true;
  } finally {
    wk.release();
  }
}

/** Self-confidence `P[i][y_i]` for rows `[0, rows)` of the block, validating the whole block. */
export function selfConfidenceKernel(P: Float32Array | Float64Array, y: Int32Array, yOff: number, rows: number, K: number, out: ScoreArray, outOff: number, rowBase = 0): void {
  const wk = P instanceof Float32Array && rows * K >= WASM_MIN ? rowsKernel(K, P) : null;
  if (wk) {
    try {
      // Large kernel-resident input and a shared result: the second half of the rows on the helper thread.
      const half = rows * K >= HELPER_MIN && out.buffer instanceof SharedArrayBuffer ? Math.ceil(rows / 2 / wk.R) * wk.R : rows;
      const other = half < rows ? wk.onHelper("self", P as Float32Array, half, rows - half, y, yOff + half, out.subarray(outOff + half, outOff + rows)) : null;
      const mine = other === null ? rows : half;
      // per block: the SIMD range check, then the gather from the cache-warm block
      for (let r0 = 0; r0 < mine; r0 += wk.R) {
        const nr = Math.min(wk.R, mine - r0);
        const block = wk.scan(P as Float32Array, r0 * K, nr);
        // a value out of range: the scalar kernel throws the same error as always
        if (block === null) selfConfidenceJs(P.subarray(r0 * K, (r0 + nr) * K), y, yOff + r0, nr, K, out, outOff + r0, rowBase + r0);
        else for (let r = 0; r < nr; r++) out[outOff + r0 + r] = block[r * K + y[yOff + r0 + r]!]!;
      }
      if (other !== null && other.wait() === null) selfConfidenceJs(P.subarray(half * K, rows * K), y, yOff + half, rows - half, K, out, outOff + half, rowBase + half);
    } finally {
      wk.release();
    }
    return;
  }
  selfConfidenceJs(P, y, yOff, rows, K, out, outOff, rowBase);
}

function selfConfidenceJs(P: Float32Array | Float64Array, y: Int32Array, yOff: number, rows: number, K: number, out: ScoreArray, outOff: number, rowBase: number): void {
  // one flat scan (cheaper than a per-row loop; bounded by P.length so V8 drops the bounds checks), then the gather
  const sub = rows * K === P.length ? P : P.subarray(0, rows * K);
  for (let q = 0; q < sub.length; q++) {
    const v = sub[q]!;
    if (!(v >= -1e-6 && v <= 1 + 1e-6)) rangeError(v, q, K, rowBase);
  }
  for (let i = 0; i < rows; i++) out[outOff + i] = P[i * K + y[yOff + i]!]!;
}

/** Normalized margin `(p_y − max_{k≠y} p_k + 1) / 2` (float32 arithmetic for float32 input), validating the block. */
export function normalizedMarginKernel(P: Float32Array | Float64Array, y: Int32Array, yOff: number, rows: number, K: number, out: ScoreArray, outOff: number, rowBase = 0): void {
  const wk = P instanceof Float32Array && rows * K >= WASM_MIN ? rowsKernel(K, P) : null;
  if (wk) {
    try {
      const none = new Float32Array(K).fill(Infinity);
      for (let r0 = 0; r0 < rows; r0 += wk.R) {
        const nr = Math.min(wk.R, rows - r0);
        if (wk.K4 === K) {
          // K a multiple of 4: the whole margin in WebAssembly; the division by 2 in float64, as numpy's true_divide
          const x = wk.margins(P as Float32Array, r0 * K, nr, y, yOff + r0);
          if (x !== null) {
            for (let r = 0; r < nr; r++) out[outOff + r0 + r] = x[r]! / 2;
            continue;
          }
        }
        if (!marginBlockWasm(wk, P as Float32Array, y, yOff + r0, r0, nr, none, out, outOff + r0)) {
          // a value out of range in this block: the scalar kernel throws the same error as always
          normalizedMarginJs(P.subarray(r0 * K, (r0 + nr) * K), y, yOff + r0, nr, K, out, outOff + r0, rowBase + r0);
        }
      }
    } finally {
      wk.release();
    }
    return;
  }
  normalizedMarginJs(P, y, yOff, rows, K, out, outOff, rowBase);
}

function normalizedMarginJs(P: Float32Array | Float64Array, y: Int32Array, yOff: number, rows: number, K: number, out: ScoreArray, outOff: number, rowBase: number): void {
  const f32 = P instanceof Float32Array;
  const fr = Math.fround;
  for (let i = 0; i < rows; i++) {
    const b = i * K;
    const yi = y[yOff + i]!;
    const by = b + yi;
    const e = b + K;
    let other = -Infinity;
    for (let q = b; q < by; q++) {
      const v = P[q]!;
      if (!(v >= -1e-6 && v <= 1 + 1e-6)) rangeError(v, q, K, rowBase);
      if (v > other) other = v;
    }
    for (let q = by + 1; q < e; q++) {
      const v = P[q]!;
      if (!(v >= -1e-6 && v <= 1 + 1e-6)) rangeError(v, q, K, rowBase);
      if (v > other) other = v;
    }
    const own = P[by]!;
    if (!(own >= -1e-6 && own <= 1 + 1e-6)) rangeError(own, by, K, rowBase);
    // float32 input: numpy evaluates the margin in float32
    out[outOff + i] = f32 ? fr(fr(own - other) + 1) / 2 : (own - other + 1) / 2;
  }
}

/** One block of the float32 margin through the WebAssembly row scan; false when a value is out of range. */
function marginBlockWasm(wk: RowsKernel, P: Float32Array, y: Int32Array, yOff: number, r0: number, nr: number, none: Float32Array, out: ScoreArray, outOff: number): boolean {
  const { K, K4 } = wk;
  const st = wk.rowStats(P, r0 * K, nr, none);
  if (!st.inRange) return false;
  const { f, i, block } = st;
  const fr = Math.fround;
  for (let r = 0; r < nr; r++) {
    const b = r * K;
    for (let q = b + K4; q < b + K; q++) {
      const v = block[q]!;
      if (!(v >= -1e-6 && v <= 1 + 1e-6)) return false;
    }
    const o = r * 5;
    let bv = f[o]!;
    let best = i[o + 1]!;
    let second = f[o + 2]!;
    for (let q = K4; q < K; q++) {
      const v = block[b + q]!;
      if (v > bv) {
        second = bv;
        bv = v;
        best = q;
      } else if (v > second) second = v;
    }
    const yi = y[yOff + r]!;
    const own = block[b + yi]!;
    const other = best === yi ? second : bv;
    out[outOff + r] = fr(fr(own - other) + 1) / 2;
  }
  return true;
}

/** Values from which the scans of kernel-resident input share their rows with the helper thread (4 MiB of pred_probs). */
export const HELPER_MIN = 1 << 20;

/**
 * Confidence-weighted entropy for rows `[0, rows)` of a block (cleanlab's formula; float32 rounding of
 * every numpy float32 step for float32 input), validating the block ([−1e-6, 1+1e-6], and [0, 1] for the entropy).
 */
export function cweKernel(P: Float32Array | Float64Array, y: Int32Array, yOff: number, rows: number, K: number, out: ScoreArray, outOff: number, rowBase = 0): void {
  const fr = Math.fround;
  const lnK = Math.log(K);
  if (P instanceof Float32Array) {
    const B = new Int32Array(P.buffer, P.byteOffset, P.length);
    const floor = fr(1e-6);
    const lnK32 = fr(lnK); // numpy casts the float64 scalar log(K) to float32 first
    // h: the row's sum from the WebAssembly kernel, or NaN when the row needs JavaScript (a subnormal
    // value, an error to report, or a score entropyScore wants from exact logarithms)
    const rowScore = (i: number, h: number): number => {
      const own = P[i * K + y[yOff + i]!]!;
      const s = entropyScore(h === h ? h : entropySumF32(P, B, i * K, K, rowBase, false), own, lnK32, floor);
      return s === s ? s : entropyScore(entropySumF32(P, B, i * K, K, rowBase, true), own, lnK32, floor, true);
    };
    // The kernel sums blocks of eight columns (numpy's leaves; rows of more than 128 values are split as numpy does).
    const wk = rows * K >= WASM_MIN && K >= 8 ? rowsKernel(K, P) : null;
    if (wk) {
      try {
        // Large kernel-resident input: the second half of the rows on the helper thread meanwhile.
        const half = rows * K >= HELPER_MIN ? Math.ceil(rows / 2 / wk.R) * wk.R : rows;
        const into = out.buffer instanceof SharedArrayBuffer ? out.subarray(outOff + half, outOff + rows) : undefined;
        const other = half < rows ? wk.onHelper("entropy", P, half, rows - half, y, yOff + half, into) : null;
        const mine = other === null ? rows : half;
        for (let r0 = 0; r0 < mine; r0 += wk.R) {
          const nr = Math.min(wk.R, mine - r0);
          const hs = wk.entropySums(P, r0 * K, nr);
          for (let r = 0; r < nr; r++) out[outOff + r0 + r] = rowScore(r0 + r, hs[r]!);
        }
        if (other !== null) {
          const scores = other.wait()!;
          if (scores !== into) out.set(scores, outOff + half);
          for (let i = half; i < rows; i++) if (out[outOff + i] !== out[outOff + i]) out[outOff + i] = rowScore(i, Number.NaN);
        }
      } finally {
        wk.release();
      }
      return;
    }
    for (let i = 0; i < rows; i++) out[outOff + i] = rowScore(i, Number.NaN);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const b = i * K;
    const e = b + K;
    let h = 0;
    for (let q = b; q < e; q++) {
      const p = P[q]!;
      if (!(p >= 0 && p <= 1)) {
        if (!(p >= -1e-6 && p <= 1 + 1e-6)) rangeError(p, q, K, rowBase);
        entropyError(p, q, K, rowBase);
      }
      if (p > 0) h -= p * Math.log(p);
    }
    const sc = Math.max(P[b + y[yOff + i]!]!, 1e-6);
    const x = h / lnK / sc;
    out[outOff + i] = Math.log(1 + x) / Math.max(x, 1e-6);
  }
}

/**
 * `Σ fround(p · ln p)` over one float32 row from flat index `b` (scipy's xlogy in float32), validating it,
 * summed as numpy's float32 `np.sum` does: its leaves ({@link pairwiseLeaves}) one by one, then their sums
 * added back in its order. The logarithm of a positive normal p ≤ 1 is {@link log32Bits} (as in the WebAssembly
 * kernel), or with `exact` the float64 `Math.log` (what scipy rounds from).
 */
function entropySumF32(P: Float32Array, B: Int32Array, b: number, K: number, rowBase: number, exact: boolean): number {
  if (plan?.K !== K) {
    const { leaves, program } = pairwiseLeaves(K);
    plan = { K, leaves, program, sums: new Float64Array(leaves.length / 3), stack: new Float64Array(program.length) };
  }
  const { leaves, program, sums, stack } = plan;
  if (sums.length === 1) return leafEntropy(P, B, b, K, K, rowBase, exact);
  for (let j = 0; j < sums.length; j++) sums[j] = leafEntropy(P, B, b + leaves[3 * j]!, leaves[3 * j + 1]!, K, rowBase, exact);
  return foldLeaves(program, sums, 1, 0, stack);
}

/** The last row length's {@link pairwiseLeaves} plan and room for its leaf sums. */
let plan: { K: number; leaves: Int32Array; program: Int32Array; sums: Float64Array; stack: Float64Array } | undefined;

/**
 * numpy's float32 pairwise summation of the entropy terms of one leaf, the n ≤ 128 values from flat index
 * `from`: fewer than 8 one by one; else eight running sums r[j] over the columns ≡ j (mod 8), combined as
 * ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the columns past the last multiple of 8 one by one.
 */
function leafEntropy(P: Float32Array, B: Int32Array, from: number, n: number, K: number, rowBase: number, exact: boolean): number {
  const fr = Math.fround;
  if (n < 8) return entropyTail(P, B, from, from + n, K, rowBase, 0, exact);
  const r = [0, 0, 0, 0, 0, 0, 0, 0];
  const n8 = n - (n % 8);
  for (let i = 0; i < n8; i += 8) for (let j = 0; j < 8; j++) r[j] = fr(r[j]! + entropyTerm(P, B, from + i + j, K, rowBase, exact));
  const res = fr(fr(fr(r[0]! + r[1]!) + fr(r[2]! + r[3]!)) + fr(fr(r[4]! + r[5]!) + fr(r[6]! + r[7]!)));
  return entropyTail(P, B, from + n8, from + n, K, rowBase, res, exact);
}

/** float32 `h` plus the terms of flat indices [from, to), one by one. */
function entropyTail(P: Float32Array, B: Int32Array, from: number, to: number, K: number, rowBase: number, h: number, exact: boolean): number {
  for (let q = from; q < to; q++) h = Math.fround(h + entropyTerm(P, B, q, K, rowBase, exact));
  return h;
}

/** `fround(p · ln p)` of the float32 at flat index q (0 for p = 0), validating it. */
function entropyTerm(P: Float32Array, B: Int32Array, q: number, K: number, rowBase: number, exact: boolean): number {
  const u = B[q]!;
  if (u >= 0x00800000 && u <= 0x3f800000) return Math.fround(P[q]! * (exact ? Math.log(P[q]!) : log32Bits(u))); // positive normal p ≤ 1
  if (u === 0) return 0;
  const p = P[q]!;
  if (!(p >= -1e-6 && p <= 1 + 1e-6)) rangeError(p, q, K, rowBase);
  if (!(p >= 0 && p <= 1)) entropyError(p, q, K, rowBase);
  return p > 0 ? Math.fround(p * Math.log(p)) : 0; // subnormal (or −0)
}

const LOG_C9 = Math.fround(1 / 9);
const LOG_C7 = Math.fround(1 / 7);
const LOG_C5 = Math.fround(1 / 5);
const LOG_C3 = Math.fround(1 / 3);
const LN2_F32 = Math.fround(Math.LN2);

/**
 * Natural log of the positive normal float32 with bits `u`, in float32 arithmetic (every step rounded
 * to float32, as the WebAssembly entropy kernel computes it four lanes at a time): p = 2^e·m with m in
 * [√½, √2), s = (m − 1)/(m + 1), log p = e·ln 2 + 2s·(1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9). Within 3 float32 ulp
 * of the true value (|s| ≤ 0.172, the dropped terms < 3·10⁻⁹ relative), like numpy's float32 log.
 */
export function log32Bits(u: number): number {
  const fr = Math.fround;
  const frac = u & 0x7fffff;
  let e = (u >>> 23) - 127;
  let m = 1 + frac * 2 ** -23;
  if (frac > 0x3504f3) {
    m /= 2;
    e += 1;
  }
  const f = fr(m - 1);
  const s = fr(f / fr(f + 2));
  const z = fr(s * s);
  let t = fr(fr(z * LOG_C9) + LOG_C7);
  t = fr(fr(t * z) + LOG_C5);
  t = fr(fr(t * z) + LOG_C3);
  t = fr(fr(t * z) + 1);
  return fr(fr(e * LN2_F32) + fr(fr(s + s) * t));
}

function entropyError(p: number, idx: number, K: number, rowBase: number): never {
  const row = rowBase + Math.floor(idx / K);
  const col = idx % K;
  throw invalidInput(`probability [${row}][${col}] = ${p} is outside [0, 1]; entropy needs valid probabilities`, { row, col });
}

/** Accumulators of {@link confidentRowsKernel}. */
export interface ConfidentRowsAcc {
  /** Uncalibrated K×K counts (diagonal not yet forced to ≥ 1). */
  readonly C: Float64Array;
  /** Off-diagonal global row indices, ascending: the first `offCount` entries (room for one per row). */
  readonly off: Int32Array;
  offCount: number;
  /** Optional: cleanlab's `_reduce_issues` mask per global row (1 = never flagged). */
  readonly reduce?: Uint8Array;
  /** Optional: argmax per global row. */
  readonly argmax?: Int32Array;
}

/**
 * One pass over a row block: validates the value range and, per row, the confident guess (count of
 * `P ≥ lower`, argmax), the uncalibrated confident-joint count, the off-diagonal list, the reduce mask
 * and the argmax. `y` holds global labels; the block starts at global row `rowBase`.
 */
export function confidentRowsKernel(P: Float32Array | Float64Array, y: Int32Array, rowBase: number, rows: number, K: number, lower: Float64Array, acc: ConfidentRowsAcc): void {
  const wk = P instanceof Float32Array && rows * K >= WASM_MIN ? rowsKernel(K, P) : null;
  if (wk) {
    try {
      const lower32 = Float32Array.from(lower, f32AtLeast);
      for (let r0 = 0; r0 < rows; r0 += wk.R) {
        const nr = Math.min(wk.R, rows - r0);
        const block = P.subarray(r0 * K, (r0 + nr) * K) as Float32Array;
        // a value out of range: the scalar kernel throws the same error as always
        if (!confidentBlockWasm(wk, block, y, rowBase + r0, nr, lower32, acc)) confidentRowsJs(block, y, rowBase + r0, nr, K, lower, acc);
      }
    } finally {
      wk.release();
    }
    return;
  }
  confidentRowsJs(P, y, rowBase, rows, K, lower, acc);
}

function confidentRowsJs(P: Float32Array | Float64Array, y: Int32Array, rowBase: number, rows: number, K: number, lower: Float64Array, acc: ConfidentRowsAcc): void {
  let no = acc.offCount;
  const f32 = P instanceof Float32Array;
  const fr = Math.fround;
  for (let r = 0; r < rows; r++) {
    const b = r * K;
    let count = 0;
    let single = -1;
    let best = 0;
    let bv = -Infinity;
    for (let k = 0; k < K; k++) {
      const v = P[b + k]!;
      if (!(v >= -1e-6 && v <= 1 + 1e-6)) rangeError(v, b + k, K, rowBase);
      if (v > bv) {
        bv = v;
        best = k;
      }
      if (v >= lower[k]!) {
        count++;
        single = k;
      }
    }
    const gi = rowBase + r;
    const yi = y[gi]!;
    const own = P[b + yi]!;
    no = tallyRow(acc, K, gi, yi, bv, best, count, single, f32 ? fr(own + 1e-6) : own + 1e-6, no);
  }
  acc.offCount = no;
}

/**
 * The end of one row of {@link confidentRowsKernel}, shared by the JavaScript and WebAssembly scans:
 * the reduce flag (given label within 1e-6 of the row maximum; the first index wins exact ties after the
 * bump), the argmax, and the row's confident-joint cell and off-diagonal entry. Returns the new count
 * of off-diagonal rows.
 */
function tallyRow(acc: ConfidentRowsAcc, K: number, gi: number, yi: number, bv: number, best: number, count: number, single: number, bumped: number, no: number): number {
  if (acc.reduce) acc.reduce[gi] = bv < bumped || (bv === bumped && best > yi) ? 1 : 0;
  if (acc.argmax) acc.argmax[gi] = best;
  if (count === 0) return no;
  const g = count === 1 ? single : best;
  acc.C[yi * K + g]!++;
  if (g !== yi) acc.off[no++] = gi;
  return no;
}

/** One block of {@link confidentRowsKernel} through the WebAssembly row scan; false (nothing counted) when a value is out of range. */
function confidentBlockWasm(wk: RowsKernel, P: Float32Array, y: Int32Array, rowBase: number, rows: number, lower32: Float32Array, acc: ConfidentRowsAcc): boolean {
  const { K, K4 } = wk;
  const st = wk.rowStats(P, 0, rows, lower32);
  if (!st.inRange) return false;
  // the block (its copy in the kernel memory, or in place) is cache-warm
  const { f, i, block } = st;
  for (let q = K4; q < K; q++) {
    for (let b = 0; b < rows * K; b += K) {
      const v = block[b + q]!;
      if (!(v >= -1e-6 && v <= 1 + 1e-6)) return false;
    }
  }
  let no = acc.offCount;
  const fr = Math.fround;
  for (let r = 0; r < rows; r++) {
    const b = r * K;
    const o = r * 5;
    // the SIMD columns' results, then the columns K4…K−1 in order
    let bv = f[o]!;
    let best = i[o + 1]!;
    let count = i[o + 3]!;
    let single = i[o + 4]!;
    for (let q = K4; q < K; q++) {
      const v = block[b + q]!;
      if (v > bv) {
        bv = v;
        best = q;
      }
      if (v >= lower32[q]!) {
        count++;
        single = q;
      }
    }
    const gi = rowBase + r;
    const yi = y[gi]!;
    no = tallyRow(acc, K, gi, yi, bv, best, count, single, fr(block[b + yi]! + 1e-6), no);
  }
  acc.offCount = no;
  return true;
}
