/*
 * The distance kernel of the NN-descent graph builder, as a hand-assembled WebAssembly SIMD module
 * over a shared memory that holds every row as int16 values in [−16383, 16383] (so worker threads
 * score candidates in place, with no gathering):
 *
 *   j(list, nn, mp, rb, out): `list` holds mp byte addresses of rows (rb bytes each, a multiple of 16,
 *   zero-padded columns); for every a < nn and every group of four columns b ≥ (a + 1) rounded down to
 *   a multiple of 4, store the squared euclidean distances ‖row_a − row_b‖² (float32) at
 *   out + (a·mp + b)·4. mp is a multiple of 4 and nn ≥ 1.
 *
 * Eight columns at a time: the differences fit in int16, `i32x4.dot_i16x8_s` squares and adds them in
 * pairs (at most 2·32766² < 2³¹), and four float32 partial sums take the lane results; the partial
 * sums are added pairwise at the end — a fixed order, so every thread computes bit-identical values.
 */

import { wasmModule, wasmOp } from "./wasm-encoding.js";

/** The module's bytes (imports a shared memory "e"."m", exports function "j"). */
export function nnDescentWasm(): Uint8Array {
  const { I32, V128, get, set, i32c, add, mul, ltU, geU, and, shl, load32, simd } = wasmOp;
  const load = simd(0x00, 0, 0);
  const store = simd(0x0b, 0, 0);
  const fadd = simd(0xe4);
  const isub = simd(0x91);
  const dot = simd(0xba);
  const toFloat = simd(0xfa);
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  /** i8x16.shuffle picking float lanes (0–3 from the first operand, 4–7 from the second). */
  const shuffle = (lanes: number[]): number[] => simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  const [list, nn, mp, rb, out] = [0, 1, 2, 3, 4];
  // i32 locals: 5 a, 6 b, 7 pa, 8–11 pb0..pb3, 12 o; v128 locals: 13–16 c0..c3, 17 av, 18 t, 19 u0, 20 u1
  const [a, b, pa, o] = [5, 6, 7, 12];
  const pb = (s: number): number => 8 + s;
  const c = (s: number): number => 13 + s;
  const [av, t, u0, u1] = [17, 18, 19, 20];
  const inner: number[] = [...get(pa), ...get(o), add, ...load, ...set(av)];
  for (let s = 0; s < 4; s++) {
    inner.push(...get(av), ...get(pb(s)), ...get(o), add, ...load, ...isub, ...set(t));
    inner.push(...get(c(s)), ...get(t), ...get(t), ...dot, ...toFloat, ...fadd, ...set(c(s)));
  }
  inner.push(...get(o), ...i32c(16), add, ...set(o), ...get(o), ...get(rb), ltU, 0x0d, 0);
  const pairSum = (x: number, y: number, dst: number): number[] => [
    ...get(c(x)), ...get(c(y)), ...shuffle([0, 1, 4, 5]),
    ...get(c(x)), ...get(c(y)), ...shuffle([2, 3, 6, 7]),
    ...fadd, ...set(dst),
  ];
  const body: number[] = [
    2, 8, I32, 8, V128,
    ...i32c(0), ...set(a),
    0x03, 0x40, // loop A
    ...get(list), ...get(a), ...i32c(2), shl, add, ...load32, ...set(pa),
    ...get(a), ...i32c(1), add, ...i32c(-4), and, ...set(b),
    0x02, 0x40, // block (skip when no column group is left)
    ...get(b), ...get(mp), geU, 0x0d, 0,
    0x03, 0x40, // loop B
    ...[0, 1, 2, 3].flatMap((s) => [...get(list), ...get(b), ...i32c(2), shl, add, ...i32c(4 * s), add, ...load32, ...set(pb(s))]),
    ...[0, 1, 2, 3].flatMap((s) => [...zero, ...set(c(s))]),
    ...i32c(0), ...set(o),
    0x03, 0x40, // loop P
    ...inner,
    0x0b, // end loop P
    ...pairSum(0, 1, u0),
    ...pairSum(2, 3, u1),
    // out + (a·mp + b)·4 ← [Σc0, Σc1, Σc2, Σc3]
    ...get(out), ...get(a), ...get(mp), mul, ...get(b), add, ...i32c(2), shl, add,
    ...get(u0), ...get(u1), ...shuffle([0, 2, 4, 6]),
    ...get(u0), ...get(u1), ...shuffle([1, 3, 5, 7]),
    ...fadd, ...store,
    ...get(b), ...i32c(4), add, ...set(b),
    ...get(b), ...get(mp), ltU, 0x0d, 0, // br_if loop B
    0x0b, // end loop B
    0x0b, // end block
    ...get(a), ...i32c(1), add, ...set(a),
    ...get(a), ...get(nn), ltU, 0x0d, 0, // br_if loop A
    0x0b, // end loop A
    0x0b, // end function
  ];
  return wasmModule([{ name: "j", params: 5, body }], { sharedMemory: true });
}
