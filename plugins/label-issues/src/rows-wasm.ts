/*
 * WebAssembly SIMD scans of float32 pred_probs row blocks (hand-assembled with @assay/math's encoding
 * helpers; the JavaScript kernels in kernels.ts / prune.ts stay as the fallback and give the same results).
 * Every comparison is an exact float32 comparison, so the callers reproduce the scalar code bit for bit:
 *
 *   r(p, rows, K, K4, lower, out): per row of the block at `p` (rows × K float32), over its first K4
 *     columns (a multiple of 4): the largest value and its first column, the runner-up (the largest value
 *     at another column), the count of `v ≥ lower[j]` and the last such column — 20 bytes per row at `out`
 *     (f32, i32, f32, i32, i32). Each SIMD lane keeps these for its columns (j ≡ lane mod 4); two shuffle
 *     steps combine the lanes. Then one int32 after the last row: 1 when every value read lay in [lo, hi].
 *   g(p, rows, K, K4, labels, gates, out): the selection candidates — for every row r (label k, int32 at
 *     `labels`) and group of 4 columns c < K4/4 where some column j = 4c + l has
 *     `fround(v_j − v_k) ≥ gates[k·K + j]`, one int32 entry `16·(r·K4/4 + c) + mask` (bit l of the mask set
 *     for each such column), in row-major order, after an int32 count at `out`.
 *   m(p, rows, K, labels, out): K a multiple of 4; per row with label k, the float32 `(v_k − max_{j≠k} v_j) + 1`
 *     (each step rounded to float32, as numpy's normalized margin) at `out` (one float32 per row), then one
 *     int32: 1 when every value lay in [lo, hi].
 *   s(p, bytes, out): one int32 at `out`: 1 when every float32 of [p, p + bytes) lies in [lo, hi] (bytes a
 *     multiple of 16; 0 bytes is fine).
 *   e(p, rows, stride, len, len8, out, tmp): per row (rows `stride` bytes apart), over its `len` values from `p`
 *     (8 ≤ len ≤ 128, len8 = len − len % 8), numpy's float32 pairwise sum of the float32 `p · log32Bits(p)`
 *     (kernels.ts) of its positive normal values ≤ 1 (zeros add nothing) at `out` (one float64 per row), NaN for
 *     a row with any other value; 32 bytes of scratch at `tmp`. Rows of more than 128 values are summed as
 *     numpy's halves (see {@link pairwiseLeaves}), one call per leaf.
 *
 * When pred_probs is kernel-resident (@assay/math `kernelFloat32Array`), the shared-memory build of the
 * module runs against its memory and reads the blocks in place (scratch: the memory's head); otherwise each
 * block is copied into the kernel's own memory first.
 */
import { Worker } from "node:worker_threads";
import { isKernelResident, type KernelLease, lazyKernel, lazyModule, leaseKernelMemory, leb, type WasmKernel, wasmModule, wasmOp } from "@assay/math";
import type { ScoreArray } from "./types.js";

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The next float32 above float32 `f` (toward +∞). */
function nextUp(f: number): number {
  F32[0] = f;
  if (f === 0) U32[0] = 1;
  else if (f > 0) U32[0]! += 1;
  else U32[0]! -= 1;
  return F32[0]!;
}

/** The smallest float32 `f` with `f ≥ x` (so `v ≥ x ⇔ v ≥ f` for every float32 v; NaN stays NaN). */
export function f32AtLeast(x: number): number {
  const f = Math.fround(x);
  return f < x ? nextUp(f) : f;
}

/** The largest float32 `f` with `f ≤ x`. */
function f32AtMost(x: number): number {
  return -f32AtLeast(-x);
}

/** The value range of pred_probs as float32 bounds: `lo ≤ v ≤ hi ⇔ −1e-6 ≤ v ≤ 1 + 1e-6` for float32 v. */
const LO = f32AtLeast(-1e-6);
const HI = f32AtMost(1 + 1e-6);

/**
 * Bytes of the module (exports `r`, `g`, `s`, `m`, `e`; imports memory `e.m`, a shared one with `shared`,
 * to read kernel-resident pred_probs in place).
 */
export function rowsWasm(shared = false): Uint8Array {
  const { I32, V128, get, set, tee, i32c, add, mul, shl, ltU, simd } = wasmOp;
  const load = (offset = 0) => simd(0x00, 0, ...leb(offset));
  const store = (offset = 0) => simd(0x0b, 0, ...leb(offset));
  const f32x4 = (v: number) => simd(0x0c, ...new Uint8Array(Float32Array.of(v, v, v, v).buffer));
  const i32x4 = (a: number, b: number, c: number, d: number) => simd(0x0c, ...new Uint8Array(Int32Array.of(a, b, c, d).buffer));
  const [and, or, bitselect, anyTrue, allTrue] = [simd(0x4e), simd(0x50), simd(0x52), simd(0x53), simd(0xa3)];
  const [fgt, fle, fge, fsub, pmax] = [simd(0x44), simd(0x45), simd(0x46), simd(0xe5), simd(0xeb)];
  const [iadd, isub] = [simd(0xae), simd(0xb1)];
  const store8 = [0x3a, 0, 0];
  const store32 = [0x36, 2, 0];
  const load32 = [0x28, 2, 0];
  const f32c = (v: number) => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
  const shuffle = (lanes: number[]) => simd(0x0d, ...lanes);
  const [feq, fpmin, ieq, iltS, imaxS] = [simd(0x41), simd(0xea), simd(0x37), simd(0x39), simd(0xb8)];
  /**
   * Combine each lane's (m1, i1, m2, cnt, last) with the lane `lanes` puts beside it: the larger maximum
   * (on equal maxima the smaller column), the larger of the two runners-up and the smaller maximum, the
   * summed counts and the larger last column. Uses locals v (partner m1), gt (partner i1), ge (take mask).
   */
  const reduceLanes = (lanes: number[]) => [
    ...get(m1), ...get(m1), ...shuffle(lanes), ...set(v),
    ...get(i1), ...get(i1), ...shuffle(lanes), ...set(gt),
    // runner-up: max(m2, partner m2, min(m1, partner m1))
    ...get(m2), ...get(m2), ...get(m2), ...shuffle(lanes), ...pmax, ...get(m1), ...get(v), ...fpmin, ...pmax, ...set(m2),
    // take the partner when its maximum is larger, or equal at a smaller column
    ...get(v), ...get(m1), ...fgt, ...get(v), ...get(m1), ...feq, ...get(gt), ...get(i1), ...iltS, ...and, ...or, ...set(ge),
    ...get(v), ...get(m1), ...get(ge), ...bitselect, ...set(m1),
    ...get(gt), ...get(i1), ...get(ge), ...bitselect, ...set(i1),
    ...get(cnt), ...get(cnt), ...get(cnt), ...shuffle(lanes), ...iadd, ...set(cnt),
    ...get(last), ...get(last), ...get(last), ...shuffle(lanes), ...imaxS, ...set(last),
  ];
  const inRange = (v: number) => [...get(v), ...f32x4(LO), ...fge, ...get(v), ...f32x4(HI), ...fle, ...and];

  // r: params 0 p, 1 rows, 2 K, 3 K4, 4 lower, 5 out; i32 locals 6 r, 7 q, 8 end, 9 lp, 10 rowp;
  // v128 locals 11 v, 12 ok, 13 m1, 14 m2, 15 i1, 16 cnt, 17 last, 18 jv, 19 gt, 20 ge
  const [p, rows, K, K4, lower, out] = [0, 1, 2, 3, 4, 5];
  const [r, q, end, lp, rowp] = [6, 7, 8, 9, 10];
  const [v, ok, m1, m2, i1, cnt, last, jv, gt, ge] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  // prettier-ignore
  const rowScan = [
    2, 5, I32, 10, V128,
    ...get(K), ...i32c(2), shl, ...set(K),
    ...get(K4), ...i32c(2), shl, ...set(K4),
    ...i32x4(-1, -1, -1, -1), ...set(ok),
    ...get(p), ...set(rowp),
    ...i32c(0), ...set(r),
    0x03, 0x40, // loop rows
    ...f32x4(-Infinity), ...set(m1), ...f32x4(-Infinity), ...set(m2),
    ...i32x4(0, 0, 0, 0), ...set(i1), ...i32x4(0, 0, 0, 0), ...set(cnt), ...i32x4(0, 0, 0, 0), ...set(last),
    ...i32x4(0, 1, 2, 3), ...set(jv),
    ...get(rowp), ...tee(q), ...get(K4), add, ...set(end),
    ...get(lower), ...set(lp),
    0x03, 0x40, // loop columns
    ...get(q), ...load(), ...set(v),
    ...get(ok), ...inRange(v), ...and, ...set(ok),
    ...get(v), ...get(m1), ...fgt, ...set(gt),
    // m2 = v > m1 ? m1 : (m2 < v ? v : m2); m1 = v > m1 ? v : m1; i1 likewise
    ...get(m1), ...get(m2), ...get(v), ...pmax, ...get(gt), ...bitselect, ...set(m2),
    ...get(v), ...get(m1), ...get(gt), ...bitselect, ...set(m1),
    ...get(jv), ...get(i1), ...get(gt), ...bitselect, ...set(i1),
    ...get(v), ...get(lp), ...load(), ...fge, ...set(ge),
    ...get(cnt), ...get(ge), ...isub, ...set(cnt),
    ...get(jv), ...get(last), ...get(ge), ...bitselect, ...set(last),
    ...get(jv), ...i32x4(4, 4, 4, 4), ...iadd, ...set(jv),
    ...get(lp), ...i32c(16), add, ...set(lp),
    ...get(q), ...i32c(16), add, ...tee(q), ...get(end), ltU, 0x0d, 0,
    0x0b, // end loop columns
    ...reduceLanes([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]),
    ...reduceLanes([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]),
    // lane 0 now holds the row's results
    ...get(out), ...get(m1), ...simd(0x1f, 0), 0x38, 2, 0, // f32.store
    ...get(out), ...get(i1), ...simd(0x1b, 0), 0x36, 2, 4, // i32.store offset 4
    ...get(out), ...get(m2), ...simd(0x1f, 0), 0x38, 2, 8,
    ...get(out), ...get(cnt), ...simd(0x1b, 0), 0x36, 2, 12,
    ...get(out), ...get(last), ...simd(0x1b, 0), 0x36, 2, 16,
    ...get(out), ...i32c(20), add, ...set(out),
    ...get(rowp), ...get(K), add, ...set(rowp),
    ...get(r), ...i32c(1), add, ...tee(r), ...get(rows), ltU, 0x0d, 0,
    0x0b, // end loop rows
    ...get(out), ...get(ok), ...allTrue, ...store32,
    0x0b,
  ];

  // g: params 0 p, 1 rows, 2 K, 3 K4, 4 labels, 5 gates, 6 out; i32 locals 7 r, 8 q, 9 end, 10 gp, 11 rowp,
  // 12 n (entries), 13 e (16 × running column-group number), 14 lane mask; v128 local 15 own
  const [gLabels, gGates, gOut] = [4, 5, 6];
  const [gr, gq, gend, gp, growp, gn, ge4, gate4, own] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const bitmask = simd(0xa4);
  // prettier-ignore
  const gate = [
    2, 8, I32, 1, V128,
    ...get(K), ...i32c(2), shl, ...set(K),
    ...get(K4), ...i32c(2), shl, ...set(K4),
    ...get(p), ...set(growp),
    ...i32c(0), ...set(gr), ...i32c(0), ...set(gn), ...i32c(0), ...set(ge4),
    0x03, 0x40, // loop rows
    // k = labels[r]; own = splat(row[k]); gp = gates + k·K·4
    ...get(gLabels), ...get(gr), ...i32c(2), shl, add, ...load32, ...tee(gp),
    ...i32c(2), shl, ...get(growp), add, ...simd(0x09, 2, 0), ...set(own),
    ...get(gp), ...get(K), mul, ...get(gGates), add, ...set(gp),
    ...get(growp), ...tee(gq), ...get(K4), add, ...set(gend),
    0x03, 0x40, // loop column groups
    ...get(gq), ...load(), ...get(own), ...fsub, ...get(gp), ...load(), ...fge, ...bitmask, ...tee(gate4),
    0x04, 0x40, // if some lane passes: entries[n++] = 16·group + lane mask
    ...get(gOut), ...get(gn), ...i32c(2), shl, add, ...get(ge4), ...get(gate4), 0x72 /* i32.or */, 0x36, 2, 4,
    ...get(gn), ...i32c(1), add, ...set(gn),
    0x0b,
    ...get(ge4), ...i32c(16), add, ...set(ge4),
    ...get(gp), ...i32c(16), add, ...set(gp),
    ...get(gq), ...i32c(16), add, ...tee(gq), ...get(gend), ltU, 0x0d, 0,
    0x0b,
    ...get(growp), ...get(K), add, ...set(growp),
    ...get(gr), ...i32c(1), add, ...tee(gr), ...get(rows), ltU, 0x0d, 0,
    0x0b,
    ...get(gOut), ...get(gn), ...store32,
    0x0b,
  ];

  // s: params 0 p, 1 bytes, 2 out; i32 local 3 end; v128 locals 4 v, 5 ok, 6 w
  const [sEnd, sv, sok, sw] = [3, 4, 5, 6];
  // prettier-ignore
  const scan = [
    2, 1, I32, 3, V128,
    ...i32x4(-1, -1, -1, -1), ...set(sok),
    ...get(p), ...get(1), add, ...set(sEnd),
    // two vectors per step, after a first single one when their number is odd
    ...get(1), ...i32c(16), 0x71 /* i32.and */, 0x04, 0x40, // if
    ...get(p), ...load(), ...set(sv),
    ...get(sok), ...inRange(sv), ...and, ...set(sok),
    ...get(p), ...i32c(16), add, ...set(p),
    0x0b,
    0x02, 0x40, // block: skip when empty
    ...get(p), ...get(sEnd), 0x4f /* i32.ge_u */, 0x0d, 0,
    0x03, 0x40,
    ...get(p), ...load(), ...set(sv),
    ...get(p), ...load(16), ...set(sw),
    ...get(sok), ...inRange(sv), ...and, ...inRange(sw), ...and, ...set(sok),
    ...get(p), ...i32c(32), add, ...tee(p), ...get(sEnd), ltU, 0x0d, 0,
    0x0b,
    0x0b,
    ...get(2), ...get(sok), ...allTrue, ...store32,
    0x0b,
  ];
  // m: params 0 p, 1 rows, 2 K (a multiple of 4), 3 labels, 4 out; i32 locals 5 r, 6 q, 7 end, 8 rowp, 9 k;
  // v128 locals 10 v, 11 ok, 12 other, 13 jv, 14 kv, 15 own
  const [mLabels, mOut] = [3, 4];
  const [mr, mq, mend, mrowp, mk, mv, mok, mother, mjv, mkv, mown] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  // prettier-ignore
  const margin = [
    2, 5, I32, 6, V128,
    ...get(K), ...i32c(2), shl, ...set(K),
    ...i32x4(-1, -1, -1, -1), ...set(mok),
    ...get(p), ...set(mrowp),
    ...i32c(0), ...set(mr),
    0x03, 0x40, // loop rows
    ...get(mLabels), ...get(mr), ...i32c(2), shl, add, ...load32, ...tee(mk), ...simd(0x11), ...set(mkv),
    ...get(mk), ...i32c(2), shl, ...get(mrowp), add, ...simd(0x09, 2, 0), ...set(mown),
    ...f32x4(-Infinity), ...set(mother),
    ...i32x4(0, 1, 2, 3), ...set(mjv),
    ...get(mrowp), ...tee(mq), ...get(K), add, ...set(mend),
    0x03, 0x40, // loop columns: other = max over the columns j ≠ k
    ...get(mq), ...load(), ...set(mv),
    ...get(mok), ...inRange(mv), ...and, ...set(mok),
    ...get(mother), ...f32x4(-Infinity), ...get(mv), ...get(mjv), ...get(mkv), ...ieq, ...bitselect, ...pmax, ...set(mother),
    ...get(mjv), ...i32x4(4, 4, 4, 4), ...iadd, ...set(mjv),
    ...get(mq), ...i32c(16), add, ...tee(mq), ...get(mend), ltU, 0x0d, 0,
    0x0b,
    ...get(mother), ...get(mother), ...get(mother), ...shuffle([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]), ...pmax, ...set(mother),
    ...get(mother), ...get(mother), ...get(mother), ...shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]), ...pmax, ...set(mother),
    // out[r] = (own − other) + 1 in float32
    ...get(mOut), ...get(mr), ...i32c(2), shl, add,
    ...get(mown), ...get(mother), ...fsub, ...simd(0x1f, 0), ...f32c(1), 0x92 /* f32.add */,
    0x38, 2, 0, // f32.store
    ...get(mrowp), ...get(K), add, ...set(mrowp),
    ...get(mr), ...i32c(1), add, ...tee(mr), ...get(rows), ltU, 0x0d, 0,
    0x0b,
    ...get(mOut), ...get(rows), ...i32c(2), shl, add, ...get(mok), ...allTrue, ...store32,
    0x0b,
  ];
  // e: params 0 p, 1 rows, 2 stride, 3 len, 4 len8, 5 out, 6 tmp; i32 locals 7 r, 8 q, 9 end; v128 locals 10 low,
  // 11 u, 12 high, 13 e, 14 mb, 15 s, 16 t, 17 r0–r3, 18 r4–r7; f32 local 19 sum. The float32 steps of log32Bits
  // (kernels.ts), four columns at a time, summed in numpy's float32 pairwise order: r[j] += term of column
  // 8i + j, then ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the last len − len8 columns one by one
  // (their terms from the last eight columns, stored at tmp).
  const f64c = (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
  const [eStride, eLen, eLen8, eOut, eTmp] = [2, 3, 4, 5, 6];
  const [er, eq, eend, elow, eu, ehigh, ee, emb, es, et, elo, ehi, esum] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const splat = (v: number) => i32x4(v, v, v, v);
  const [fadd, fmul, fdiv, toF32] = [simd(0xe4), simd(0xe6), simd(0xe7), simd(0xfa)];
  const [iltU, igtU, igtS, ishrU, iminU, imaxU] = [simd(0x3a), simd(0x3c), simd(0x3b), simd(0xad), simd(0xb7), simd(0xb9)];
  const lane = (v: number, l: number) => [...get(v), ...simd(0x1f, l)];
  const pairSum = (v: number) => [...lane(v, 0), ...lane(v, 1), 0x92, ...lane(v, 2), ...lane(v, 3), 0x92, 0x92]; // (v0 + v1) + (v2 + v3), f32
  /**
   * The terms of the four columns at address `at` (code leaving an i32) on the stack. A valid value is 0 or a
   * positive normal p ≤ 1; the row's running unsigned minimum of (bits − 1) in `low` and maximum of the bits in
   * `high` tell whether one was not. A zero's term comes out as p · (−127 ln 2) = −0, which adds nothing.
   */
  const terms = (at: number[]) => [
    ...at, ...load(), ...set(eu),
    ...get(elow), ...get(eu), ...splat(1), ...isub, ...iminU, ...set(elow),
    ...get(ehigh), ...get(eu), ...imaxU, ...set(ehigh),
    // e = (u >>> 23) − 127; mantissa in [1, 2), halved (e + 1) above √2
    ...get(eu), ...i32c(23), ...ishrU, ...splat(127), ...isub, ...set(ee),
    ...get(eu), ...splat(0x7fffff), ...and, ...splat(0x3f800000), ...or, ...set(emb),
    ...get(emb), ...splat(0x3fb504f3), ...igtS, ...set(es),
    ...get(emb), ...get(es), ...splat(0x00800000), ...and, ...isub, ...set(emb),
    ...get(ee), ...get(es), ...isub, ...set(ee),
    // s = f / (f + 2), f = m − 1; z = s²; t = ((((z·c9 + c7)·z + c5)·z + c3)·z + 1)
    ...get(emb), ...f32x4(1), ...fsub, ...tee(et), ...get(et), ...f32x4(2), ...fadd, ...fdiv, ...tee(es),
    ...get(es), ...fmul, ...tee(emb),
    ...f32x4(1 / 9), ...fmul, ...f32x4(1 / 7), ...fadd, ...get(emb), ...fmul, ...f32x4(1 / 5), ...fadd,
    ...get(emb), ...fmul, ...f32x4(1 / 3), ...fadd, ...get(emb), ...fmul, ...f32x4(1), ...fadd, ...set(et),
    // log p = e·ln2 + (s + s)·t; term = p · log p
    ...get(ee), ...toF32, ...f32x4(Math.LN2), ...fmul,
    ...get(es), ...get(es), ...fadd, ...get(et), ...fmul, ...fadd,
    ...get(eu), ...fmul,
  ];
  const accumulate = (offset: number, acc: number) => [...get(acc), ...terms([...get(eq), ...i32c(offset), add]), ...fadd, ...set(acc)];
  // prettier-ignore
  const entropy = [
    3, 3, I32, 9, V128, 1, 0x7d,
    ...i32c(0), ...set(er),
    0x02, 0x40,
    ...get(rows), 0x45, 0x0d, 0, // no rows
    0x03, 0x40, // loop rows
    ...i32x4(0, 0, 0, 0), ...set(elo), ...i32x4(0, 0, 0, 0), ...set(ehi), ...splat(-1), ...set(elow), ...splat(0), ...set(ehigh),
    ...get(p), ...get(er), ...get(eStride), mul, add, ...tee(eq),
    ...get(eLen8), ...i32c(2), shl, add, ...set(eend),
    0x02, 0x40,
    ...get(eLen8), 0x45, 0x0d, 0, // no block of 8 columns
    0x03, 0x40, // loop blocks of 8 columns
    ...accumulate(0, elo),
    ...accumulate(16, ehi),
    ...get(eq), ...i32c(32), add, ...tee(eq), ...get(eend), ltU, 0x0d, 0,
    0x0b,
    0x0b,
    ...pairSum(elo), ...pairSum(ehi), 0x92, ...set(esum),
    // the last len − len8 columns: terms of the last eight columns at tmp, added one by one
    0x02, 0x40,
    ...get(eLen8), ...get(eLen), 0x46, 0x0d, 0, // len8 = len: no remainder
    ...get(eTmp), ...terms([...get(eend), ...get(eLen), ...get(eLen8), 0x6b, ...i32c(2), shl, add, ...i32c(-32), add]), ...store(),
    ...get(eTmp), ...terms([...get(eend), ...get(eLen), ...get(eLen8), 0x6b, ...i32c(2), shl, add, ...i32c(-16), add]), ...store(16),
    ...get(eTmp), ...i32c(32), add, ...get(eLen), ...get(eLen8), 0x6b, ...i32c(2), shl, 0x6b, ...set(eq),
    0x03, 0x40,
    ...get(esum), ...get(eq), 0x2a, 2, 0, 0x92, ...set(esum), // sum += f32 at q
    ...get(eq), ...i32c(4), add, ...tee(eq), ...get(eTmp), ...i32c(32), add, ltU, 0x0d, 0,
    0x0b,
    0x0b,
    ...get(eOut), ...get(er), ...i32c(3), shl, add,
    // select(NaN, f64(sum), a subnormal (bits − 1 < 0x7fffff unsigned) or a value past 1, negative or NaN)
    ...f64c(Number.NaN), ...get(esum), 0xbb,
    ...get(elow), ...splat(0x7fffff), ...iltU, ...get(ehigh), ...splat(0x3f800000), ...igtU, ...or, ...anyTrue, 0x1b,
    0x39, 3, 0, // f64.store
    ...get(er), ...i32c(1), add, ...tee(er), ...get(rows), ltU, 0x0d, 0,
    0x0b,
    0x0b,
    0x0b,
  ];
  return wasmModule(
    [
      { name: "r", params: 6, body: rowScan },
      { name: "g", params: 7, body: gate },
      { name: "s", params: 3, body: scan },
      { name: "m", params: 5, body: margin },
      { name: "e", params: 7, body: entropy },
    ],
    { sharedMemory: shared },
  );
}

const compiled = lazyKernel(() => rowsWasm(false));
const compiledShared = lazyModule(() => rowsWasm(true));

/**
 * cleanlab's confidence-weighted entropy score from a row's entropy sum `h` (Σ fround(p·ln p)) and its own
 * probability, every numpy float32 step rounded: H = −h / ln K, x = H / max(own, 1e-6),
 * ln(x + 1) / max(x, 1e-6). `lnK32` and `floor` are fround(ln K) and fround(1e-6). Self-contained (the
 * helper thread runs its source text).
 *
 * Unless `exact` (h summed from exact logarithms), NaN when x < 0.5: there a one-ulp difference in h can
 * move fround(x + 1) to the next float32, which moves the score by about 1.2e-7 / (x·(1 + x)) — more than
 * 1.6e-7, and beyond 1e-6 near x = 0.1. The caller sums such rows again with exact logarithms.
 */
export function entropyScore(h: number, own: number, lnK32: number, floor: number, exact = false): number {
  const fr = Math.fround;
  const H = fr(-fr(h) / lnK32);
  const x = fr(H / Math.max(own, floor));
  if (!exact && x < 0.5) return Number.NaN;
  return fr(fr(Math.log(fr(x + 1))) / Math.max(x, floor));
}

/**
 * How numpy's float32 `np.sum` splits a row of `n` values: runs of more than 128 values in two halves (the first
 * a multiple of 8 long), recursively, down to leaves of at most 128 that it sums with eight running sums. `leaves`
 * holds (offset, length, length rounded down to a multiple of 8) per leaf, left to right; `program` adds the
 * leaf sums back up in numpy's order, in postfix: a leaf index pushes that leaf's sum, −1 adds the top two.
 */
export function pairwiseLeaves(n: number): { leaves: Int32Array; program: Int32Array } {
  const leaves: number[] = [];
  const program: number[] = [];
  const split = (from: number, len: number): void => {
    if (len <= 128) {
      program.push(leaves.length / 3);
      leaves.push(from, len, len - (len % 8));
      return;
    }
    let half = Math.floor(len / 2);
    half -= half % 8;
    split(from, half);
    split(from + half, len - half);
    program.push(-1);
  };
  split(0, n);
  return { leaves: Int32Array.from(leaves), program: Int32Array.from(program) };
}

/**
 * Row `r`'s total from its leaf sums (`sums[leaf · rows + r]`) by a {@link pairwiseLeaves} program, every
 * addition rounded to float32; `stack` needs room for the program's length. Self-contained (the helper thread
 * runs its source text).
 */
export function foldLeaves(program: Int32Array, sums: Float64Array, rows: number, r: number, stack: Float64Array): number {
  let top = 0;
  for (let i = 0; i < program.length; i++) {
    const op = program[i]!;
    if (op >= 0) stack[top++] = sums[op * rows + r]!;
    else {
      top--;
      stack[top - 1] = Math.fround(stack[top - 1]! + stack[top]!);
    }
  }
  return stack[0]!;
}

/**
 * The entropy sums of `rows` rows from byte address `at` of `buffer` (K values per row) by the kernel export `e`:
 * one call per leaf of the {@link pairwiseLeaves} plan, the leaf sums at byte address `out` (32 bytes of the
 * kernel's scratch after them), then the rows' totals in `totals` (length ≥ rows) when there is more than one
 * leaf. Self-contained (the helper thread runs its source text).
 */
export function entropyBlockSums(
  e: (...args: number[]) => void,
  buffer: ArrayBufferLike,
  at: number,
  rows: number,
  K: number,
  plan: { leaves: Int32Array; program: Int32Array },
  out: number,
  totals: Float64Array,
  stack: Float64Array,
): Float64Array {
  const { leaves, program } = plan;
  const n = leaves.length / 3;
  const tmp = out + Math.ceil((n * rows) / 2) * 16;
  for (let j = 0; j < n; j++) e(at + leaves[3 * j]! * 4, rows, K * 4, leaves[3 * j + 1]!, leaves[3 * j + 2]!, out + j * rows * 8, tmp);
  const sums = new Float64Array(buffer, out, n * rows);
  if (n === 1) return sums;
  for (let r = 0; r < rows; r++) totals[r] = foldLeaves(program, sums, rows, r, stack);
  return totals.subarray(0, rows);
}

/**
 * The helper thread's program, for a row range of a kernel-resident matrix, block by block: "self" — the
 * value-range check and the self-confidences (ctl[1] = 1 when a value is out of range: the caller redoes the
 * range to report it); "entropy" — the entropy sums and then the scores (NaN where a row needs the
 * JavaScript path).
 */
const HELPER_SOURCE = `"use strict";
${entropyScore.toString()}
${foldLeaves.toString()}
${entropyBlockSums.toString()}
function selfConfidences(job) {
  const { module, memory, at, rows, R, K, out, labels, lo, hi, result, ctl } = job;
  const s = new WebAssembly.Instance(module, { e: { m: memory } }).exports.s;
  const flag = new Int32Array(memory.buffer, out, 1);
  for (let r0 = 0; r0 < rows; r0 += R) {
    const nr = Math.min(R, rows - r0);
    const P = new Float32Array(memory.buffer, at + r0 * K * 4, nr * K);
    const len4 = P.length - (P.length % 4);
    s(P.byteOffset, len4 * 4, out);
    let ok = flag[0] === 1;
    for (let q = len4; q < P.length && ok; q++) ok = P[q] >= lo && P[q] <= hi;
    if (!ok) {
      ctl[1] = 1;
      return;
    }
    for (let r = 0; r < nr; r++) result[r0 + r] = P[r * K + labels[r0 + r]];
  }
}
// CommonJS or ES module, whichever way Node evaluates the string (as @assay/math's pool does).
(typeof require === "function" ? Promise.resolve(require("node:worker_threads")) : import("node:worker_threads")).then(({ parentPort }) => {
  parentPort.on("message", (job) => {
    Atomics.store(job.ctl, 2, 1);
    Atomics.notify(job.ctl, 2);
    if (job.kind === "self") selfConfidences(job);
    else entropyScores(job);
    Atomics.store(job.ctl, 0, 1);
    Atomics.notify(job.ctl, 0);
  });
});
function entropyScores(job) {
  const { module, memory, at, rows, R, K, plan, out, labels, lnK32, floor, result } = job;
  const e = new WebAssembly.Instance(module, { e: { m: memory } }).exports.e;
  const totals = new Float64Array(R);
  const stack = new Float64Array(plan.program.length);
  for (let r0 = 0; r0 < rows; r0 += R) {
    const nr = Math.min(R, rows - r0);
    const hs = ${entropyBlockSums.name}(e, memory.buffer, at + r0 * K * 4, nr, K, plan, out, totals, stack);
    const P = new Float32Array(memory.buffer, at + r0 * K * 4, nr * K);
    for (let r = 0; r < nr; r++) {
      const h = hs[r];
      result[r0 + r] = h === h ? ${entropyScore.name}(h, P[r * K + labels[r0 + r]], lnK32, floor) : NaN;
    }
  }
}
`;

let helper: Worker | null | undefined;

/** How long a caller waits for the helper thread to take a job (it starts in ~50 ms) before doing it itself. */
const HELPER_START_MS = 5000;

/** One long-lived helper thread (unref'd: it never keeps the process alive), or null when none can start. */
function kernelHelper(): Worker | null {
  if (helper === undefined) {
    try {
      const w = new Worker(HELPER_SOURCE, { eval: true });
      w.unref();
      w.on("error", () => (helper = null));
      w.on("exit", () => (helper = null));
      helper = w;
    } catch {
      helper = null;
    }
  }
  return helper;
}
/** Instances of the shared-memory module, one per kernel-resident memory. */
const residentInstances = new WeakMap<object, WasmKernel["fns"]>();

/** The part of the WebAssembly JS API used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  Instance: new (m: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
declare const WebAssembly: WasmApi;

let enabled = true;

/** Turn the WebAssembly scans off (or back on), so tests can compare them with the JavaScript kernels. @internal */
export function useRowsWasm(on: boolean): void {
  enabled = on;
}

/** Whether the WebAssembly scans are on (see {@link useRowsWasm}). @internal */
export function rowsWasmEnabled(): boolean {
  return enabled;
}

function kernel(bytes: number) {
  return enabled ? compiled(bytes) : null;
}

/** Rows per block: about 256 KiB of pred_probs, so a block stays in the L2 cache between its copy and its scan. */
export function blockRows(K: number): number {
  return Math.max(1, Math.floor(65536 / K));
}

/** Byte layout of one block call (pred_probs block, labels, lower thresholds / gates, outputs). */
function layout(K: number) {
  const R = blockRows(K);
  const a16 = (x: number) => Math.ceil(x / 16) * 16;
  const labels = a16(R * K * 4 + 16);
  const table = a16(labels + R * 4);
  const out = a16(table + K * K * 4 + 16);
  return { R, labels, table, out, bytes: a16(out + Math.max(R * 80, R * K + 4, R * 8) + 16) };
}

/** Per-row results of {@link RowsKernel.rowStats}; views into the kernel memory, valid until the next call. */
export interface RowStats {
  /** Per row 5 words: maximum (f32), its first column (i32), runner-up (f32), count (i32), last counted column (i32). */
  readonly f: Float32Array;
  readonly i: Int32Array;
  /** Whether every value of the first K4 columns lay in the value range. */
  readonly inRange: boolean;
  /** The block's copy in the kernel memory (rows × K; cache-warm, cheaper to read than the source). */
  readonly block: Float32Array;
}

/**
 * The WebAssembly row-scan kernels for float32 blocks with `K ≥ 4`, or null when this runtime has no
 * WebAssembly SIMD (callers then use the JavaScript kernels). When `P` is kernel-resident and its memory
 * free, the kernels read its blocks in place until {@link RowsKernel.release} (call it in a `finally`).
 */
export function rowsKernel(K: number, P?: Float32Array | Float64Array): RowsKernel | null {
  if (K < 4) return null;
  const L = layout(K);
  if (kernel(L.bytes) === null) return null;
  if (P instanceof Float32Array && isKernelResident(P)) {
    const mod = compiledShared();
    const lease = mod === null ? null : leaseKernelMemory(P);
    if (lease !== null && lease.scratchBytes >= L.bytes) {
      let fns = residentInstances.get(lease.memory);
      if (fns === undefined) {
        fns = new WebAssembly.Instance(mod!, { e: { m: lease.memory } }).exports as WasmKernel["fns"];
        residentInstances.set(lease.memory, fns);
      }
      const memory = lease.memory as WasmKernel["memory"];
      return new RowsKernel(K, L, { kernel: { memory, fns, bytes: lease.scratchBytes }, buffer: P.buffer, lease });
    }
    lease?.release();
  }
  return new RowsKernel(K, L);
}

/** A kernel bound to a kernel-resident array's memory. */
interface Resident {
  readonly kernel: WasmKernel;
  /** The resident array's buffer: blocks of arrays on it are read in place. */
  readonly buffer: ArrayBufferLike;
  readonly lease: KernelLease;
}

/** A row-block scanner bound to one K (see {@link rowsKernel}). */
export class RowsKernel {
  readonly K: number;
  readonly K4: number;
  /** Rows per block. */
  readonly R: number;
  private readonly L: ReturnType<typeof layout>;
  private readonly resident: Resident | undefined;
  /** The entropy sums' leaves (numpy's split of a row) and, with more than one, the per-row totals and fold stack. */
  private readonly plan: ReturnType<typeof pairwiseLeaves>;
  private readonly totals: Float64Array;
  private readonly stack: Float64Array;

  constructor(K: number, L: ReturnType<typeof layout>, resident?: Resident) {
    this.K = K;
    this.K4 = K - (K % 4);
    this.R = L.R;
    this.L = L;
    this.resident = resident;
    this.plan = pairwiseLeaves(K);
    const many = this.plan.program.length > 1;
    this.totals = new Float64Array(many ? L.R : 0);
    this.stack = new Float64Array(many ? this.plan.program.length : 0);
  }

  /** Whether the blocks of the kernel-resident input are read in place. */
  get inPlace(): boolean {
    return this.resident !== undefined;
  }

  /** Give the resident input's memory back (no-op for a copying kernel). */
  release(): void {
    this.resident?.lease.release();
  }

  private k(): WasmKernel {
    return this.resident?.kernel ?? kernel(this.L.bytes)!;
  }

  /**
   * Where the kernels read `rows` rows of `P` from flat offset `from`: in place on the resident memory, else
   * a copy at the head of the kernel memory. Returns the byte address and the block as a Float32Array.
   */
  private place(k: WasmKernel, P: Float32Array, from: number, rows: number): { at: number; block: Float32Array } {
    const sub = P.subarray(from, from + rows * this.K);
    if (this.resident !== undefined && P.buffer === this.resident.buffer) return { at: sub.byteOffset, block: sub };
    const block = new Float32Array(k.memory.buffer, 0, rows * this.K);
    block.set(sub);
    return { at: 0, block };
  }

  /**
   * Row statistics of `rows ≤ R` rows of `P` from flat offset `from` (see the module comment, `r`),
   * against float32 thresholds `lower32` (length K; use {@link f32AtLeast} on the exact thresholds).
   */
  rowStats(P: Float32Array, from: number, rows: number, lower32: Float32Array): RowStats {
    const { K, K4, L } = this;
    const k = this.k();
    const { at, block } = this.place(k, P, from, rows);
    const buf = k.memory.buffer;
    new Float32Array(buf, L.table, K).set(lower32);
    k.fns.r!(at, rows, K, K4, L.table, L.out);
    const i = new Int32Array(buf, L.out, rows * 5 + 1);
    return { f: new Float32Array(buf, L.out, rows * 5), i, inRange: i[rows * 5] === 1, block };
  }

  /**
   * Selection candidates of `rows ≤ R` rows of `P` from flat offset `from` with labels `y[y0…]` (see the
   * module comment, `g`): entries `16·(r·K4/4 + c) + lane mask`. `gates` (K×K float32) is copied in.
   */
  candidates(P: Float32Array, from: number, rows: number, y: Int32Array, y0: number, gates: Float32Array): { entries: Int32Array; block: Float32Array } {
    const { K, K4, L } = this;
    const k = this.k();
    const { at, block } = this.place(k, P, from, rows);
    const buf = k.memory.buffer;
    new Int32Array(buf, L.labels, rows).set(y.subarray(y0, y0 + rows));
    new Float32Array(buf, L.table, K * K).set(gates);
    k.fns.g!(at, rows, K, K4, L.labels, L.table, L.out);
    const n = new Int32Array(buf, L.out, 1)[0]!;
    return { entries: new Int32Array(buf, L.out + 4, n), block };
  }

  /**
   * `(P[r][y] − max_{j≠y} P[r][j]) + 1` in float32 for `rows ≤ R` rows of `P` from flat offset `from` with
   * labels `y[y0…]` (K a multiple of 4), or null when some value lies outside [−1e-6, 1 + 1e-6].
   */
  margins(P: Float32Array, from: number, rows: number, y: Int32Array, y0: number): Float32Array | null {
    const { K, L } = this;
    const k = this.k();
    const { at } = this.place(k, P, from, rows);
    const buf = k.memory.buffer;
    new Int32Array(buf, L.labels, rows).set(y.subarray(y0, y0 + rows));
    k.fns.m!(at, rows, K, L.labels, L.out);
    return new Int32Array(buf, L.out + rows * 4, 1)[0] === 1 ? new Float32Array(buf, L.out, rows) : null;
  }

  /**
   * Per row of `rows ≤ R` rows of `P` from flat offset `from` (K ≥ 8): numpy's float32 pairwise sum of
   * `fround(p · log32Bits(p))` over its positive normal values ≤ 1 (zeros add nothing); NaN for a row with any other
   * value (subnormal, negative, above 1, NaN), which the caller computes in JavaScript.
   */
  entropySums(P: Float32Array, from: number, rows: number): Float64Array {
    const k = this.k();
    const { at } = this.place(k, P, from, rows);
    return entropyBlockSums(k.fns.e!, k.memory.buffer, at, rows, this.K, this.plan, this.L.out, this.totals, this.stack);
  }

  /**
   * On the helper thread, for the `rows` rows of kernel-resident `P` from row `from` with the labels
   * `y[yFrom, yFrom + rows)`, while the caller works (the helper's scratch lies after this kernel's in the
   * leased memory): "entropy" — the confidence-weighted entropy scores ({@link entropyScore} of
   * {@link entropySums}), NaN for a row the caller must compute in JavaScript; "self" — the value-range check
   * and the self-confidences. The scores go to `into` when given (on a SharedArrayBuffer; "self" needs it),
   * else to a new Float64Array. `wait()` blocks until done and returns the scores, or null when "self" found
   * a value out of range (the caller redoes those rows to report it). Null when `P` is not read in place or no
   * helper thread can run.
   */
  onHelper(kind: "entropy" | "self", P: Float32Array, from: number, rows: number, y: Int32Array, yFrom: number, into?: ScoreArray): { wait(): ScoreArray | null } | null {
    const { K, L } = this;
    const r = this.resident;
    const mod = compiledShared();
    const { plan } = this;
    // the helper's scratch: its leaf sums (and the flag of "self") at `out`, the kernel's 32 bytes after them
    const out = L.bytes + 16;
    const tmp = out + Math.ceil(((plan.leaves.length / 3) * L.R) / 2) * 16;
    if (r === undefined || P.buffer !== r.buffer || mod === null || tmp + 32 > r.kernel.bytes) return null;
    const worker = kernelHelper();
    if (worker === null) return null;
    // The labels go to the helper on shared memory: in the rest of the scratch when they fit (its pages stay
    // mapped from call to call), else a new SharedArrayBuffer. A message copy would cost two fresh copies.
    const labelsAt = tmp + 32;
    const labels = labelsAt + rows * 4 <= r.kernel.bytes ? new Int32Array(r.kernel.memory.buffer, labelsAt, rows) : new Int32Array(new SharedArrayBuffer(rows * 4));
    labels.set(y.subarray(yFrom, yFrom + rows));
    const result = into ?? new Float64Array(new SharedArrayBuffer(rows * 8));
    // ctl: 0 done, 1 a value out of range ("self"), 2 the helper has taken the job
    const ctl = new Int32Array(new SharedArrayBuffer(12));
    const lnK32 = Math.fround(Math.log(K));
    const floor = Math.fround(1e-6);
    worker.postMessage({ kind, module: mod, memory: r.kernel.memory, at: P.byteOffset + from * K * 4, rows, R: L.R, K, plan, out, labels, lnK32, floor, lo: LO, hi: HI, result, ctl });
    return {
      wait: () => {
        // This thread cannot see the helper's error or exit events while it waits: a helper that has not taken
        // the job in time is given up, and the caller computes the rows itself.
        if (Atomics.wait(ctl, 2, 0, HELPER_START_MS) === "timed-out" && Atomics.load(ctl, 2) === 0) {
          void worker.terminate();
          helper = null;
          return kind === "self" ? null : result.fill(Number.NaN);
        }
        while (Atomics.load(ctl, 0) === 0) Atomics.wait(ctl, 0, 0);
        return ctl[1] === 1 ? null : result;
      },
    };
  }


  /** `rows ≤ R` rows of `P` from flat offset `from`, in place or copied into the kernel memory (valid until the next call). */
  copy(P: Float32Array, from: number, rows: number): Float32Array {
    return this.place(this.k(), P, from, rows).block;
  }

  /**
   * `rows ≤ R` rows of `P` from flat offset `from` (in place, or copied into the kernel memory) when every
   * value lies in [−1e-6, 1 + 1e-6] (valid until the next call), else null.
   */
  scan(P: Float32Array, from: number, rows: number): Float32Array | null {
    const { K, L } = this;
    const k = this.k();
    const len = rows * K;
    const len4 = len - (len % 4);
    const { at, block } = this.place(k, P, from, rows);
    k.fns.s!(at, len4 * 4, L.out);
    if (new Int32Array(k.memory.buffer, L.out, 1)[0] !== 1) return null;
    for (let q = len4; q < len; q++) {
      const v = block[q]!;
      if (!(v >= -1e-6 && v <= 1 + 1e-6)) return null;
    }
    return block;
  }
}
