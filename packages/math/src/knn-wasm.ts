/*
 * The float32 SIMD micro-kernel of the symmetric exact kNN search, as a hand-assembled WebAssembly
 * module (no toolchain needed at build or run time). It computes a tile of dot products between two
 * blocks of rows stored in 4-row panels (see SymContext.P in knn-kernel.ts):
 *
 *   t(pa, pb, na, nbp, d, out, B, aI, aJ, bI, bJ, tI, tJ, flags): for panel ia < na of block A
 *   (byte offset pa) and panel pair jb, jb+1 < nbp of block B (byte offset pb), accumulate 4×8 dot
 *   products over p = 0..d−1 with f32x4 multiply/add (8 accumulators: one per A row and B
 *   half-panel) and store row s of the micro-tile at out + ((4·ia + s)·B + 4·jb)·4 bytes (float32).
 *   Then the prefilter: with per-row float32 arrays α, β (byte offsets aI/bI for block A's first
 *   row, aJ/bJ for block B's) and thresholds τ (tI, tJ), score every pair as α_i + α_j − dot·β_i·β_j
 *   and store one byte at flags + ia·nbp/2 + jb/2: 1 when any pair of the micro-tile scores ≤ τ_i or
 *   ≤ τ_j (it may enter a candidate heap), else 0. Callers pass thresholds with enough slack that
 *   float32 rounding never hides a pair the float64 test would keep.
 *
 * Each dot product is a sequential float32 sum over p, so its error is at most ≈ d·2⁻²⁴·Σ|aₚbₚ|;
 * the kNN verification widens its tolerance accordingly (see knn.ts).
 */

import { leb, wasmModule, wasmOp } from "./wasm-encoding.js";

/** The part of the WebAssembly JS API used here (the TypeScript config has no DOM/wasm lib). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
declare const WebAssembly: WasmApi;

/** The module's bytes (imports memory "e"."m", exports function "t"). */
export function knnTileWasm(): Uint8Array {
  const { I32, V128, get, set, i32c, add, mul, ltU, shl, simd } = wasmOp;
  const load = (offset: number): number[] => simd(0x00, 0, ...leb(offset));
  const splat32 = (offset: number): number[] => simd(0x09, 0, ...leb(offset));
  const store = (offset: number): number[] => simd(0x0b, 0, ...leb(offset));
  const fadd = simd(0xe4);
  const fmul = simd(0xe6);
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  // params: 0 pa, 1 pb, 2 na, 3 nbp, 4 d, 5 out, 6 B, 7 aI, 8 aJ, 9 bI, 10 bJ, 11 tI, 12 tJ, 13 flags
  const [d, out, B, aI, aJ, bI, bJ, tI, tJ, flags] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [pa, pb, na, nbp] = [0, 1, 2, 3];
  // i32 locals: 14 ia, 15 jb, 16 a, 17 b, 18 end, 19 o, 20 b2, 21 ps (panel stride, bytes), 22 rowB (tile row, bytes)
  const [ia, jb, a, b, end, o, b2, ps, rowB] = [14, 15, 16, 17, 18, 19, 20, 21, 22];
  // v128 locals: 23..30 c0..c7, 31 bv0, 32 bv1, 33 av, 34..39 column α0 α1 β0 β1 τ0 τ1, 40 mask, 41 αs, 42 βs, 43 τs, 44 score
  const c = (s: number): number => 23 + s;
  const [bv0, bv1, av] = [31, 32, 33];
  const colA = [34, 35];
  const colB = [36, 37];
  const colT = [38, 39];
  const [mask, rowA, rowBeta, rowT, score] = [40, 41, 42, 43, 44];
  const fsub = simd(0xe5);
  const fle = simd(0x45);
  const vor = simd(0x50);
  const anyTrue = simd(0x53);
  const mac = (acc: number, bv: number): number[] => [...get(c(acc)), ...get(av), ...get(bv), ...fmul, ...fadd, ...set(c(acc))];
  const inner: number[] = [
    ...get(b), ...load(0), ...set(bv0),
    ...get(b2), ...load(0), ...set(bv1),
  ];
  for (let s = 0; s < 4; s++) inner.push(...get(a), ...splat32(4 * s), ...set(av), ...mac(2 * s, bv0), ...mac(2 * s + 1, bv1));
  inner.push(
    ...get(a), ...i32c(16), add, ...set(a),
    ...get(b), ...i32c(16), add, ...set(b),
    ...get(b2), ...i32c(16), add, ...set(b2),
    ...get(a), ...get(end), ltU, 0x0d, 0, // br_if inner loop
  );
  const stores: number[] = [];
  for (let s = 0; s < 4; s++) {
    if (s > 0) stores.push(...get(o), ...get(rowB), add, ...set(o));
    stores.push(...get(o), ...get(c(2 * s)), ...store(0), ...get(o), ...get(c(2 * s + 1)), ...store(16));
  }
  // Prefilter. Column vectors: address base + jb·16 (+16 for the second half-panel).
  const filter: number[] = [];
  for (let h = 0; h < 2; h++) {
    for (const [base, dst] of [[aJ, colA[h]!], [bJ, colB[h]!], [tJ, colT[h]!]] as const) {
      filter.push(...get(base), ...get(jb), ...i32c(4), shl, add, ...load(16 * h), ...set(dst));
    }
  }
  filter.push(...zero, ...set(mask));
  for (let s = 0; s < 4; s++) {
    // row vectors: splat of row 4·ia + s, address base + ia·16 + 4s
    for (const [base, dst] of [[aI, rowA], [bI, rowBeta], [tI, rowT]] as const) {
      filter.push(...get(base), ...get(ia), ...i32c(4), shl, add, ...splat32(4 * s), ...set(dst));
    }
    for (let h = 0; h < 2; h++) {
      filter.push(
        // score = (α_i + α_j) − dot·(β_i·β_j)
        ...get(rowA), ...get(colA[h]!), ...fadd,
        ...get(c(2 * s + h)), ...get(rowBeta), ...get(colB[h]!), ...fmul, ...fmul,
        ...fsub, ...set(score),
        ...get(mask),
        ...get(score), ...get(rowT), ...fle, ...vor,
        ...get(score), ...get(colT[h]!), ...fle, ...vor,
        ...set(mask),
      );
    }
  }
  // flags[ia·nbp/2 + jb/2] = any_true(mask)
  filter.push(
    ...get(flags), ...get(ia), ...get(nbp), ...i32c(1), 0x76 /* i32.shr_u */, mul, add, ...get(jb), ...i32c(1), 0x76, add,
    ...get(mask), ...anyTrue,
    0x3a, 0, 0, // i32.store8 align 0 offset 0
  );
  const body: number[] = [
    // locals: 9 × i32, 22 × v128
    2, 9, I32, 22, V128,
    ...get(d), ...i32c(4), shl, ...set(ps),
    ...get(B), ...i32c(2), shl, ...set(rowB),
    ...i32c(0), ...set(ia),
    0x03, 0x40, // loop A
    ...i32c(0), ...set(jb),
    0x03, 0x40, // loop B
    ...get(pa), ...get(ia), ...get(ps), mul, add, ...set(a),
    ...get(a), ...get(ps), add, ...set(end),
    ...get(pb), ...get(jb), ...get(ps), mul, add, ...set(b),
    ...get(b), ...get(ps), add, ...set(b2),
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((s) => [...zero, ...set(c(s))]),
    0x03, 0x40, // loop P
    ...inner,
    0x0b, // end loop P
    // o = out + ia·4·rowB + jb·16
    ...get(out), ...get(ia), ...get(rowB), ...i32c(2), shl, mul, add, ...get(jb), ...i32c(4), shl, add, ...set(o),
    ...stores,
    ...filter,
    ...get(jb), ...i32c(2), add, ...set(jb),
    ...get(jb), ...get(nbp), ltU, 0x0d, 0, // br_if loop B
    0x0b, // end loop B
    ...get(ia), ...i32c(1), add, ...set(ia),
    ...get(ia), ...get(na), ltU, 0x0d, 0, // br_if loop A
    0x0b, // end loop A
    0x0b, // end function
  ];
  return wasmModule([{ name: "t", params: 14, body }]);
}

let cached: Uint8Array | null | undefined;

/** The module's bytes when this runtime supports WebAssembly SIMD, else null (the JS kernel is used). */
export function knnTileWasmIfSupported(): Uint8Array | null {
  if (cached !== undefined) return cached;
  try {
    const bytes = knnTileWasm();
    cached = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? bytes : null;
  } catch {
    cached = null;
  }
  return cached;
}
