/*
 * The per-pixel part of `analyseImage` for 8-bit RGB rasters as a hand-assembled WebAssembly module
 * (same integers and the same float64 gray expression as the JS scan in stats.ts, which stays as the
 * fallback):
 *
 *   s(src, W, H, hist, sums, gray, planes): one pass over interleaved RGB bytes — per-channel histograms
 *     (3 × 256 int32 at `hist`), the Rec. 601 gray byte `trunc((r·0.299 + g·0.587) + b·0.114)` at `gray`,
 *     the channel planes (CHW bytes) at `planes`, and the channel sum r + g + b into a plane padded by
 *     one pixel on every side (row stride W + 2 int32) at `sums`.
 *   e(sums, W4, H, stride, C, out): the clipped 3×3 edge values `u = clip(2·(9·S − box3×3(S)) + C, 0, 510·C)`
 *     of the first W4 (a multiple of 4) columns of every row, 4 pixels per SIMD step, summed into Σu and
 *     Σu² (two int64 lanes each, at `out` and `out + 16`).
 */
import { lazyKernel, leb, wasmModule, wasmOp } from "@assay/math";

/** Bytes of the scan module (exports `s` and `e`, imports memory `e.m`). */
export function scanWasm(): Uint8Array {
  const { get, set, tee, i32c: c32, add, mul, shl, ltU, simd: v } = wasmOp;
  const f64 = (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
  const load8 = (offset: number) => [0x2d, 0, ...leb(offset)];
  const load32 = (offset: number) => [0x28, 2, ...leb(offset)];
  const store32 = (offset: number) => [0x36, 2, ...leb(offset)];

  // s: params 0 src, 1 W, 2 H, 3 hist, 4 sums, 5 gray, 6 planes
  // i32 locals 7 k, 8 sp, 9 gp, 10 x, 11 y, 12 r, 13 g, 14 b, 15 addr, 16 pp, 17 pl (plane bytes), 18 pl2 (2 planes)
  const [src, W, H, hist, sums, gray, planes] = [0, 1, 2, 3, 4, 5, 6];
  const [k, sp, gp, x, y, r, g, b, addr, pp, pl, pl2] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const bump = (ch: number, offset: number) => [
    ...get(hist), ...get(ch), ...c32(2), shl, add, ...tee(addr), ...get(addr), ...load32(offset), ...c32(1), add, ...store32(offset),
  ];
  const toF = (ch: number) => [...get(ch), 0xb8]; // f64.convert_i32_u
  // prettier-ignore
  const scan = [
    1, 12, 0x7f,
    ...get(src), ...set(k), ...get(gray), ...set(gp), ...get(planes), ...set(pp),
    ...get(W), ...get(H), mul, ...tee(pl), ...c32(1), shl, ...set(pl2),
    // first interior cell of the padded sum plane: row 1, column 1
    ...get(sums), ...get(W), ...c32(2), add, ...c32(4), mul, add, ...c32(4), add, ...set(sp),
    ...c32(0), ...set(y),
    0x03, 0x40,
    ...c32(0), ...set(x),
    0x03, 0x40,
    ...get(k), ...load8(0), ...set(r), ...get(k), ...load8(1), ...set(g), ...get(k), ...load8(2), ...set(b),
    ...bump(r, 0), ...bump(g, 1024), ...bump(b, 2048),
    ...get(sp), ...get(r), ...get(g), add, ...get(b), add, ...store32(0),
    ...get(pp), ...get(r), 0x3a, 0, 0,
    ...get(pp), ...get(pl), add, ...get(g), 0x3a, 0, 0,
    ...get(pp), ...get(pl2), add, ...get(b), 0x3a, 0, 0,
    ...get(pp), ...c32(1), add, ...set(pp),
    ...get(gp),
    ...toF(r), ...f64(0.299), 0xa2, ...toF(g), ...f64(0.587), 0xa2, 0xa0, ...toF(b), ...f64(0.114), 0xa2, 0xa0,
    0xab, 0x3a, 0, 0, // i32.trunc_f64_u, i32.store8
    ...get(k), ...c32(3), add, ...set(k),
    ...get(sp), ...c32(4), add, ...set(sp),
    ...get(gp), ...c32(1), add, ...set(gp),
    ...get(x), ...c32(1), add, ...tee(x), ...get(W), ltU, 0x0d, 0,
    0x0b,
    ...get(sp), ...c32(8), add, ...set(sp),
    ...get(y), ...c32(1), add, ...tee(y), ...get(H), ltU, 0x0d, 0,
    0x0b,
    0x0b,
  ];

  // e: params 0 sums, 1 W4, 2 H, 3 stride (bytes), 4 C, 5 out
  // i32 locals 6 q, 7 qc, 8 qd, 9 end, 10 y; v128 locals 11 acc, 12 sq, 13 u, 14 maxU, 15 cC, 16 nine
  const [eSums, W4, eH, stride, C, out] = [0, 1, 2, 3, 4, 5];
  const [q, qc, qd, end, ey, acc, sq, u, maxU, cC, nine] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const vload = (ptr: number, offset: number) => [...get(ptr), ...v(0x00, 0, ...leb(offset))];
  const [vadd, vsub, vmul, vshl, vminS, vmaxS] = [v(0xae), v(0xb1), v(0xb5), v(0xab), v(0xb6), v(0xb8)];
  const i64add = v(0xce);
  const zero = v(0x0c, ...new Array<number>(16).fill(0));
  // prettier-ignore
  const edge = [
    2, 5, 0x7f, 6, 0x7b,
    ...zero, ...set(acc), ...zero, ...set(sq),
    ...get(C), ...c32(510), mul, ...v(0x11), ...set(maxU),
    ...get(C), ...v(0x11), ...set(cC),
    ...c32(9), ...v(0x11), ...set(nine),
    ...c32(0), ...set(ey),
    0x03, 0x40,
    ...get(eSums), ...get(ey), ...get(stride), mul, add, ...tee(q), ...get(stride), add, ...tee(qc), ...get(stride), add, ...set(qd),
    ...get(q), ...get(W4), ...c32(4), mul, add, ...set(end),
    0x03, 0x40,
    // 9·centre − box
    ...vload(qc, 4), ...get(nine), ...vmul,
    ...vload(q, 0), ...vsub, ...vload(q, 4), ...vsub, ...vload(q, 8), ...vsub,
    ...vload(qc, 0), ...vsub, ...vload(qc, 4), ...vsub, ...vload(qc, 8), ...vsub,
    ...vload(qd, 0), ...vsub, ...vload(qd, 4), ...vsub, ...vload(qd, 8), ...vsub,
    ...c32(1), ...vshl, ...get(cC), ...vadd,
    ...zero, ...vmaxS, ...get(maxU), ...vminS, ...set(u),
    ...get(acc), ...get(u), ...v(0xc9), ...i64add, ...get(u), ...v(0xca), ...i64add, ...set(acc),
    ...get(sq), ...get(u), ...get(u), ...v(0xde), ...i64add, ...get(u), ...get(u), ...v(0xdf), ...i64add, ...set(sq),
    ...get(q), ...c32(16), add, ...set(q),
    ...get(qc), ...c32(16), add, ...set(qc),
    ...get(qd), ...c32(16), add, ...set(qd),
    ...get(q), ...get(end), ltU, 0x0d, 0,
    0x0b,
    ...get(ey), ...c32(1), add, ...tee(ey), ...get(eH), ltU, 0x0d, 0,
    0x0b,
    ...get(out), ...get(acc), ...v(0x0b, 0, 0),
    ...get(out), ...get(sq), ...v(0x0b, 0, 16),
    0x0b,
  ];
  return wasmModule([
    { name: "s", params: 7, body: scan },
    { name: "e", params: 6, body: edge },
  ]);
}

const kernel = lazyKernel(scanWasm);

/** Whether the WebAssembly scan kernels are available. */
export function scanWasmAvailable(): boolean {
  return kernel(0) !== null;
}

/**
 * Result of {@link scanRgb8Wasm}: histograms, exact Σu and Σu² of the edge values, and the gray bytes
 * and CHW channel planes — both views into the kernel's memory, valid until the next scan. @internal
 */
export interface WasmScan {
  counts: [Uint32Array, Uint32Array, Uint32Array];
  sum: number;
  sumSq: number;
  gray: Uint8Array;
  planes: Uint8Array;
}

const align = (n: number) => Math.ceil(n / 16) * 16;

/** The RGB scan and the edge sums of a W×H 8-bit RGB raster in WebAssembly, or null when unavailable. @internal */
export function scanRgb8Wasm(data: Uint8Array, W: number, H: number): WasmScan | null {
  const plane = W * H;
  const oPlanes = align(3 * plane);
  const oHist = align(oPlanes + 3 * plane);
  const oGray = oHist + 3 * 1024;
  const oSums = align(oGray + plane);
  const PW = W + 2;
  const oOut = align(oSums + PW * (H + 2) * 4);
  const k = kernel(oOut + 32);
  if (!k) return null;
  const buf = k.memory.buffer;
  new Uint8Array(buf, 0, 3 * plane).set(data.subarray(0, 3 * plane));
  const hist = new Uint32Array(buf, oHist, 768);
  hist.fill(0);
  k.fns.s!(0, W, H, oHist, oSums, oGray, oPlanes);
  // replicate the borders of the padded sum plane (symmetric boundary)
  const S = new Int32Array(buf, oSums, PW * (H + 2));
  for (let y = 1; y <= H; y++) {
    S[y * PW] = S[y * PW + 1]!;
    S[y * PW + W + 1] = S[y * PW + W]!;
  }
  S.copyWithin(0, PW, 2 * PW);
  S.copyWithin((H + 1) * PW, H * PW, (H + 1) * PW);
  const W4 = W - (W % 4);
  let sum = 0;
  let sumSq = 0;
  if (W4 > 0) {
    k.fns.e!(oSums, W4, H, PW * 4, 3, oOut);
    const lanes = new BigInt64Array(buf, oOut, 4);
    sum = Number(lanes[0]! + lanes[1]!);
    sumSq = Number(lanes[2]! + lanes[3]!);
  }
  // the last W mod 4 columns
  const maxU = 510 * 3;
  for (let y = 1; y <= H; y++) {
    for (let x = W4 + 1; x <= W; x++) {
      const i = y * PW + x;
      let box = 0;
      for (let dy = -PW; dy <= PW; dy += PW) box += S[i + dy - 1]! + S[i + dy]! + S[i + dy + 1]!;
      let uu = 2 * (9 * S[i]! - box) + 3;
      uu = uu < 0 ? 0 : uu > maxU ? maxU : uu;
      sum += uu;
      sumSq += uu * uu;
    }
  }
  return {
    counts: [hist.slice(0, 256), hist.slice(256, 512), hist.slice(512, 768)],
    sum,
    sumSq,
    gray: new Uint8Array(buf, oGray, plane),
    planes: new Uint8Array(buf, oPlanes, 3 * plane),
  };
}
