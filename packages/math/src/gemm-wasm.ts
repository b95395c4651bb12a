/*
 * The dense matrix-multiply micro-kernel behind `gram`, `project` and the logistic-regression
 * objective, as a hand-assembled WebAssembly SIMD module (no toolchain at build or run time; same
 * approach as knn-wasm.ts). One generator emits two variants: float32 lanes (f32x4, tiles of 4×8)
 * and float64 lanes (f64x2, tiles of 4×4). Both compute, for tile rows ti < ni and tile columns tj
 * from the first one needed for the upper triangle of a symmetric product (`sym` = 1) to nj
 *
 *   C[i + s][j + t] = Σ_{p < np} a(s, p) · b(p, t),   i = 4·ti, j = (8 | 4)·tj, s < 4, t < (8 | 4)
 *   a(s, p) at byte aBase + E·(i + s) + p·aP         (E = 4 or 8 bytes per element)
 *   b(p, t) at byte bBase + E·(j + t) + p·bP
 *   C[i + s][j + t] stored at byte cBase + (i + s)·cS + E·(j + t)
 *
 * (the first tile column is `sym ? ti >> 1 : 0` for float32 and `sym ? ti : 0` for float64 tiles).
 * Function "g"(aBase, aP, bBase, bP, np, cBase, cS, ni, nj, sym), memory imported as "e"."m".
 * Each of the eight accumulators sums p = 0..np−1 in order with separately rounded multiply and add
 * (no FMA), so a plain JavaScript loop rounding the same way (see `gemmTileJs`) gives identical bits.
 * With row-major X (row stride R bytes): XᵀX is aBase = bBase = X, aP = bP = R; X·W needs Xᵀ panels
 * (a(s, p) = Xᵀ[p][i + s]), which the callers build block by block while copying.
 */

import { leb, wasmModule, wasmOp } from "./wasm-encoding.js";

/** The part of the WebAssembly JS API used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
}
declare const WebAssembly: WasmApi;

/** The module's bytes for float32 (`f64 = false`) or float64 lanes. @internal */
export function gemmWasm(f64: boolean): Uint8Array {
  const { I32, V128, get, set, i32c, add, mul, ltU, shl, shrU, simd } = wasmOp;
  const E = f64 ? 8 : 4;
  const load = (offset: number): number[] => simd(0x00, 0, ...leb(offset));
  const splat = (offset: number): number[] => simd(f64 ? 0x0a : 0x09, 0, ...leb(offset));
  const store = (offset: number): number[] => simd(0x0b, 0, ...leb(offset));
  const vadd = simd(f64 ? 0xf0 : 0xe4);
  const vmul = simd(f64 ? 0xf2 : 0xe6);
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  // params
  const [aBase, aP, bBase, bP, np, cBase, cS, ni, nj, sym] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // i32 locals 10..15, v128 locals 16..26
  const [ti, tj, a, b, end, o] = [10, 11, 12, 13, 14, 15];
  const c = (s: number): number => 16 + s;
  const [bv0, bv1, av] = [24, 25, 26];
  const mac = (acc: number, bv: number): number[] => [...get(c(acc)), ...get(av), ...get(bv), ...vmul, ...vadd, ...set(c(acc))];
  const inner: number[] = [...get(b), ...load(0), ...set(bv0), ...get(b), ...load(16), ...set(bv1)];
  for (let s = 0; s < 4; s++) inner.push(...get(a), ...splat(E * s), ...set(av), ...mac(2 * s, bv0), ...mac(2 * s + 1, bv1));
  inner.push(
    ...get(a), ...get(aP), add, ...set(a),
    ...get(b), ...get(bP), add, ...set(b),
    ...get(a), ...get(end), ltU, 0x0d, 0, // br_if loop P
  );
  const stores: number[] = [];
  for (let s = 0; s < 4; s++) {
    if (s > 0) stores.push(...get(o), ...get(cS), add, ...set(o));
    stores.push(...get(o), ...get(c(2 * s)), ...store(0), ...get(o), ...get(c(2 * s + 1)), ...store(16));
  }
  // Row offset of tile ti in bytes: 4·E·ti = ti << (4 or 5); column offset of tile tj: 32·tj = tj << 5.
  const rowShift = f64 ? 5 : 4;
  const body: number[] = [
    2, 6, I32, 11, V128,
    ...i32c(0), ...set(ti),
    0x03, 0x40, // loop A (tile rows)
    // first tile column: 0, or with sym the tile holding column i (i / 8 for f32, i / 4 for f64 tiles)
    ...get(ti), ...(f64 ? [] : [...i32c(1), shrU]), ...get(sym), mul, ...set(tj),
    0x03, 0x40, // loop B (tile columns)
    ...get(aBase), ...get(ti), ...i32c(rowShift), shl, add, ...set(a),
    ...get(a), ...get(np), ...get(aP), mul, add, ...set(end),
    ...get(bBase), ...get(tj), ...i32c(5), shl, add, ...set(b),
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((s) => [...zero, ...set(c(s))]),
    0x03, 0x40, // loop P
    ...inner,
    0x0b, // end loop P
    // o = cBase + 4·ti·cS + 32·tj
    ...get(cBase), ...get(ti), ...i32c(2), shl, ...get(cS), mul, add, ...get(tj), ...i32c(5), shl, add, ...set(o),
    ...stores,
    ...get(tj), ...i32c(1), add, ...set(tj),
    ...get(tj), ...get(nj), ltU, 0x0d, 0, // br_if loop B
    0x0b, // end loop B
    ...get(ti), ...i32c(1), add, ...set(ti),
    ...get(ti), ...get(ni), ltU, 0x0d, 0, // br_if loop A
    0x0b, // end loop A
    0x0b, // end function
  ];
  return wasmModule([{ name: "g", params: 10, body }]);
}

const cache: Array<Uint8Array | null | undefined> = [undefined, undefined];

/** The module's bytes when this runtime supports WebAssembly SIMD, else null (the JavaScript kernel is used). @internal */
export function gemmWasmIfSupported(f64: boolean): Uint8Array | null {
  const slot = f64 ? 1 : 0;
  const hit = cache[slot];
  if (hit !== undefined) return hit;
  let bytes: Uint8Array | null;
  try {
    const b = gemmWasm(f64);
    bytes = typeof WebAssembly === "object" && WebAssembly.validate(b) ? b : null;
  } catch {
    bytes = null;
  }
  cache[slot] = bytes;
  return bytes;
}
