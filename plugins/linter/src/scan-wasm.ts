/*
 * The per-pixel part of `analyseImage` for 8-bit RGB rasters as a hand-assembled WebAssembly module
 * (same integers and the same float64 gray expression as the JS scan in stats.ts, which stays as the
 * fallback):
 *
 *   s(src, W, H, sums, gray, planes, plane): one pass over H rows of interleaved RGB bytes — per-channel histograms
 *     (two sets of 3 × 256 int32 at address 0, even and odd pixels of each 16-pixel group, to be added; a
 *     fixed address keeps each count update to a load and a store at `v·4 + offset`), the
 *     Rec. 601 gray byte `trunc((r·0.299 + g·0.587) + b·0.114)` at `gray`, the channel planes (CHW bytes,
 *     `plane` bytes apart) at `planes`, and the channel sum r + g + b into a plane padded by one pixel on every side (row
 *     stride W + 2 int16) at `sums`. 16 pixels per step: the channels are split with shuffles, the gray
 *     is the same float64 expression in f64x2 lanes (IEEE-exact, so the same bytes); the last W mod 16
 *     pixels of a row go one at a time.
 *   e(sums, W8, H, stride, C, out): the clipped 3×3 edge values `u = clip(2·(9·S − box3×3(S)) + C, 0, 510·C)`
 *     of the first W8 (a multiple of 8, at most 3,664) columns of every row, 8 pixels per SIMD step in
 *     int16 lanes, summed into Σu and Σu² (int32 per row, then two int64 lanes each, at `out` and `out + 16`).
 *   h: @assay/math's `resampleRows` kernel, run on each band's gray rows while they are in cache (the
 *     horizontal Lanczos passes of the perceptual hashes), so the gray plane is never copied out.
 */
import { lazyKernel, leb, resampleKernelTaps, resampleRowsFunction, type ResampleTaps, wasmModule, wasmOp } from "@assay/math";

/** Bytes of the scan module (exports `s`, `e` and @assay/math's row resampler `h`, imports memory `e.m`). */
export function scanWasm(): Uint8Array {
  const { get, set, tee, i32c: c32, add, mul, shl, ltU, simd: v } = wasmOp;
  const f64 = (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
  const load8 = (offset: number) => [0x2d, 0, ...leb(offset)];
  const load32 = (offset: number) => [0x28, 2, ...leb(offset)];
  const store32 = (offset: number) => [0x36, 2, ...leb(offset)];

  // s: params 0 src, 1 W, 2 H, 3 sums, 4 gray, 5 planes, 6 pl (bytes per plane)
  // i32 locals 7 k, 8 sp, 9 gp, 10 x, 11 y, 12 r, 13 g, 14 b, 15 addr, 16 pp, 17 pl2 (2 planes), 18 W16 (columns
  // done 16 at a time); v128 locals 19 R, 20 G, 21 B (the channels of 16 pixels), 22 c299, 23 c587, 24 c114,
  // 25–30 the channels widened to 16 bits (low and high halves), 31–33 four pixels' channels widened to 32 bits
  const [src, W, H, sums, gray, planes, pl] = [0, 1, 2, 3, 4, 5, 6];
  const [k, sp, gp, x, y, r, g, b, addr, pp, pl2, W16] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const [R, G, B, c299, c587, c114] = [19, 20, 21, 22, 23, 24];
  const quad = [31, 32, 33];
  // v128 locals 34 cRG (299, 587 as int16 pairs), 35 c114i (int16), 36 cMilli (float32 0.001), 37 c1000, 38 c1,
  // 39 c999 (int32), 40 nq (a quad's weighted sums), 41–44 quo (their quotients by 1000), 45 ok
  const [cRG, c114i, cMilli, c1000, c1, c999, nq, ok] = [34, 35, 36, 37, 38, 39, 40, 45];
  const quo = [41, 42, 43, 44];
  const wide = [
    [25, 26],
    [27, 28],
    [29, 30],
  ] as const;
  // histogram bump of the byte `value` pushes, into the table at address `offset`
  const bump = (value: number[], offset: number) => [
    ...value, ...c32(2), shl, ...tee(addr), ...get(addr), ...load32(offset), ...c32(1), add, ...store32(offset),
  ];
  const toF = (ch: number) => [...get(ch), 0xb8]; // f64.convert_i32_u
  const vload = (ptr: number, offset: number) => [...get(ptr), ...v(0x00, 0, ...leb(offset))];
  const vstore = (offset: number) => v(0x0b, 0, ...leb(offset));
  const shuffle = (lanes: number[]) => v(0x0d, ...lanes);
  // channel ch of 16 interleaved RGB pixels held in three vectors: bytes 3j + ch, j < 16
  const channelOf = (ch: number) => {
    const pos = Array.from({ length: 16 }, (_, j) => 3 * j + ch);
    const first = pos.filter((p) => p < 32);
    const lanes1 = [...first, ...new Array<number>(16 - first.length).fill(0)];
    const lanes2 = pos.map((p, j) => (p < 32 ? j : 16 + p - 32));
    return [...vload(k, 0), ...vload(k, 16), ...shuffle(lanes1), ...vload(k, 32), ...shuffle(lanes2)];
  };
  const [ext8Lo, ext8Hi, ext16Lo, ext16Hi] = [v(137), v(138), v(169), v(170)];
  const [add16, addF, mulF, truncF, convF] = [v(142), v(240), v(242), v(252), v(254)];
  const highToLow = shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
  // gray of pixels 4q + 2h, 4q + 2h + 1 (of the current quad): trunc((r·0.299 + g·0.587) + b·0.114) in the two low i32 lanes
  const grayPair = (h: number) => {
    const chan = (ch: number) => (h === 0 ? [...get(quad[ch]!), ...convF] : [...get(quad[ch]!), ...get(quad[ch]!), ...highToLow, ...convF]);
    return [...chan(0), ...get(c299), ...mulF, ...chan(1), ...get(c587), ...mulF, ...addF, ...chan(2), ...get(c114), ...mulF, ...addF, ...truncF];
  };
  const joinPairs = shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
  // pixels 4q … 4q + 3: the channels widened to int32 once, then two f64x2 pairs
  const grayQuad = (q: number) => [
    ...[0, 1, 2].flatMap((ch) => [...get(wide[ch]![q >> 1]!), ...(q % 2 === 0 ? ext16Lo : ext16Hi), ...set(quad[ch]!)]),
    ...grayPair(0), ...grayPair(1), ...joinPairs,
  ];
  const f64splat = (c: number) => [...f64(c), ...v(20)];
  // Integer gray: N = 299r + 587g + 114b, floor(N / 1000) from float32 (N < 2²⁴ is exact, the product is
  // within 3·10⁻⁵ of N / 1000, and any N not a multiple of 1000 is ≥ 0.001 from a whole number), so it
  // equals the float64 expression's truncation unless N is a multiple of 1000; the rare 16-pixel groups
  // holding such an N (where the float64 sum may land just below the whole number) take the float64 path.
  const rgLanes = (part: number) => [0, 1, 2, 3].flatMap((j) => [2 * (4 * part + j), 2 * (4 * part + j) + 1, 16 + 2 * (4 * part + j), 17 + 2 * (4 * part + j)]);
  const intQuad = (q: number) => {
    const [h, part] = [q >> 1, q & 1];
    return [
      ...get(wide[0][h]), ...get(wide[1][h]), ...shuffle(rgLanes(part)), ...get(cRG), ...v(186), // 299r + 587g
      ...get(wide[2][h]), ...get(c114i), ...v(part === 0 ? 190 : 191), ...v(174), ...tee(nq), // + 114b
      ...v(250), ...get(cMilli), ...v(230), ...v(248), ...set(quo[q]!),
      // N − 1000·⌊N/1000⌋ − 1 <u 999: N is not a multiple of 1000
      ...get(nq), ...get(quo[q]!), ...get(c1000), ...v(181), ...v(177), ...get(c1), ...v(177), ...get(c999), ...v(58),
      ...(q === 0 ? set(ok) : [...get(ok), ...v(78), ...set(ok)]),
    ];
  };
  const simdBlock = [
    ...channelOf(0), ...set(R), ...channelOf(1), ...set(G), ...channelOf(2), ...set(B),
    // CHW planes
    ...get(pp), ...get(R), ...vstore(0),
    ...get(pp), ...get(pl), add, ...get(G), ...vstore(0),
    ...get(pp), ...get(pl2), add, ...get(B), ...vstore(0),
    // channels widened to 16 bits
    ...[R, G, B].flatMap((ch, i) => [...get(ch), ...ext8Lo, ...set(wide[i]![0]), ...get(ch), ...ext8Hi, ...set(wide[i]![1])]),
    // channel sums r + g + b (at most 765) as int16 into the padded sum plane
    ...[0, 1].flatMap((half) => [
      ...get(sp), ...get(wide[0][half]), ...get(wide[1][half]), ...add16, ...get(wide[2][half]), ...add16, ...vstore(16 * half),
    ]),
    // gray bytes: integer quotients, or the float64 expression when a weighted sum is a multiple of 1000
    ...[0, 1, 2, 3].flatMap(intQuad),
    ...get(ok), ...v(163), 0x04, 0x40,
    ...get(gp), ...get(quo[0]!), ...get(quo[1]!), ...v(134), ...get(quo[2]!), ...get(quo[3]!), ...v(134), ...v(102), ...vstore(0),
    0x05,
    ...get(gp), ...grayQuad(0), ...grayQuad(1), ...v(134), ...grayQuad(2), ...grayQuad(3), ...v(134), ...v(102), ...vstore(0),
    0x0b,
    // histograms: even pixels into the first table set, odd pixels into the second (shorter store-to-load chains)
    ...Array.from({ length: 16 }, (_, j) => [0, 1, 2].flatMap((ch) => bump([...get(k), ...load8(3 * j + ch)], ch * 1024 + (j % 2) * 3072))).flat(),
    ...get(k), ...c32(48), add, ...set(k),
    ...get(sp), ...c32(32), add, ...set(sp),
    ...get(gp), ...c32(16), add, ...set(gp),
    ...get(pp), ...c32(16), add, ...set(pp),
  ];
  // prettier-ignore
  const scan = [
    2, 12, 0x7f, 27, 0x7b,
    ...get(src), ...set(k), ...get(gray), ...set(gp), ...get(planes), ...set(pp),
    ...get(pl), ...c32(1), shl, ...set(pl2),
    ...get(W), ...c32(-16), 0x71, ...set(W16),
    ...f64splat(0.299), ...set(c299), ...f64splat(0.587), ...set(c587), ...f64splat(0.114), ...set(c114),
    ...v(12, ...Array.from({ length: 4 }, () => [299 & 255, 299 >> 8, 587 & 255, 587 >> 8]).flat()), ...set(cRG),
    ...c32(114), ...v(16), ...set(c114i),
    0x43, ...new Uint8Array(Float32Array.of(0.001).buffer), ...v(19), ...set(cMilli),
    ...c32(1000), ...v(17), ...set(c1000), ...c32(1), ...v(17), ...set(c1), ...c32(999), ...v(17), ...set(c999),
    // first interior cell of the padded sum plane: row 1, column 1
    ...get(sums), ...get(W), ...c32(3), add, ...c32(2), mul, add, ...set(sp),
    ...c32(0), ...set(y),
    0x03, 0x40,
    ...c32(0), ...set(x),
    ...get(W16), 0x04, 0x40,
    0x03, 0x40,
    ...simdBlock,
    ...get(x), ...c32(16), add, ...tee(x), ...get(W16), ltU, 0x0d, 0,
    0x0b,
    0x0b,
    ...get(x), ...get(W), ltU, 0x04, 0x40,
    0x03, 0x40,
    ...get(k), ...load8(0), ...set(r), ...get(k), ...load8(1), ...set(g), ...get(k), ...load8(2), ...set(b),
    ...bump(get(r), 0), ...bump(get(g), 1024), ...bump(get(b), 2048),
    ...get(sp), ...get(r), ...get(g), add, ...get(b), add, 0x3b, 1, 0, // i32.store16
    ...get(pp), ...get(r), 0x3a, 0, 0,
    ...get(pp), ...get(pl), add, ...get(g), 0x3a, 0, 0,
    ...get(pp), ...get(pl2), add, ...get(b), 0x3a, 0, 0,
    ...get(pp), ...c32(1), add, ...set(pp),
    ...get(gp),
    ...toF(r), ...f64(0.299), 0xa2, ...toF(g), ...f64(0.587), 0xa2, 0xa0, ...toF(b), ...f64(0.114), 0xa2, 0xa0,
    0xab, 0x3a, 0, 0, // i32.trunc_f64_u, i32.store8
    ...get(k), ...c32(3), add, ...set(k),
    ...get(sp), ...c32(2), add, ...set(sp),
    ...get(gp), ...c32(1), add, ...set(gp),
    ...get(x), ...c32(1), add, ...tee(x), ...get(W), ltU, 0x0d, 0,
    0x0b,
    0x0b,
    ...get(sp), ...c32(4), add, ...set(sp),
    ...get(y), ...c32(1), add, ...tee(y), ...get(H), ltU, 0x0d, 0,
    0x0b,
    0x0b,
  ];

  // e: params 0 sums, 1 W8, 2 H, 3 stride (bytes), 4 C, 5 out
  // i32 locals 6 q, 7 qc, 8 qd, 9 end, 10 y; v128 locals 11 acc, 12 sq (int32 sums of one row), 13 u, 14 maxU,
  // 15 cC, 16 nine, 17 acc64, 18 sq64 (int64 totals)
  const [eSums, W8, eH, stride, C, out] = [0, 1, 2, 3, 4, 5];
  const [q, qc, qd, end, ey, acc, sq, u, maxU, cC, nine, acc64, sq64] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const [vadd, vsub, vmul, vshl, vminS, vmaxS] = [v(142), v(145), v(149), v(139), v(150), v(152)];
  const [add32, i64add] = [v(174), v(206)];
  const zero = v(0x0c, ...new Array<number>(16).fill(0));
  const widen = (from: number, into: number) => [...get(into), ...get(from), ...v(201), ...i64add, ...get(from), ...v(202), ...i64add, ...set(into)];
  // prettier-ignore
  const edge = [
    2, 5, 0x7f, 8, 0x7b,
    ...zero, ...set(acc64), ...zero, ...set(sq64),
    ...get(C), ...c32(510), mul, ...v(16), ...set(maxU),
    ...get(C), ...v(16), ...set(cC),
    ...c32(9), ...v(16), ...set(nine),
    ...c32(0), ...set(ey),
    0x03, 0x40,
    ...get(eSums), ...get(ey), ...get(stride), mul, add, ...tee(q), ...get(stride), add, ...tee(qc), ...get(stride), add, ...set(qd),
    ...get(q), ...get(W8), ...c32(2), mul, add, ...set(end),
    ...zero, ...set(acc), ...zero, ...set(sq),
    0x03, 0x40,
    // 9·centre − box, 8 pixels in int16 lanes
    ...vload(qc, 2), ...get(nine), ...vmul,
    ...vload(q, 0), ...vsub, ...vload(q, 2), ...vsub, ...vload(q, 4), ...vsub,
    ...vload(qc, 0), ...vsub, ...vload(qc, 2), ...vsub, ...vload(qc, 4), ...vsub,
    ...vload(qd, 0), ...vsub, ...vload(qd, 2), ...vsub, ...vload(qd, 4), ...vsub,
    ...c32(1), ...vshl, ...get(cC), ...vadd,
    ...zero, ...vmaxS, ...get(maxU), ...vminS, ...set(u),
    // Σu by pairwise int32 adds, Σu² by the int16 dot product (u ≤ 1530: 2·u² per lane per step)
    ...get(acc), ...get(u), ...v(126), ...add32, ...set(acc),
    ...get(sq), ...get(u), ...get(u), ...v(186), ...add32, ...set(sq),
    ...get(q), ...c32(16), add, ...set(q),
    ...get(qc), ...c32(16), add, ...set(qc),
    ...get(qd), ...c32(16), add, ...set(qd),
    ...get(q), ...get(end), ltU, 0x0d, 0,
    0x0b,
    ...widen(acc, acc64), ...widen(sq, sq64),
    ...get(ey), ...c32(1), add, ...tee(ey), ...get(eH), ltU, 0x0d, 0,
    0x0b,
    ...get(out), ...get(acc64), ...v(0x0b, 0, 0),
    ...get(out), ...get(sq64), ...v(0x0b, 0, 16),
    0x0b,
  ];
  return wasmModule([{ name: "s", params: 7, body: scan }, { name: "e", params: 6, body: edge }, resampleRowsFunction()]);
}

const kernel = lazyKernel(scanWasm);

/** Whether the WebAssembly scan kernels are available. */
export function scanWasmAvailable(): boolean {
  return kernel(0) !== null;
}

/**
 * Result of {@link scanRgb8Wasm}: histograms, exact Σu and Σu² of the edge values, and the gray bytes
 * and CHW channel planes and the resampled rows — views into the kernel's memory, valid until the next scan. @internal
 */
export interface WasmScan {
  counts: [Uint32Array, Uint32Array, Uint32Array];
  sum: number;
  sumSq: number;
  gray: Uint8Array;
  planes: Uint8Array;
  /** For each requested set of taps, `resampleRows(gray, W, H, taps)` (H × outW int32 sums; views like `gray`). */
  rows: Int32Array[];
}

const align = (n: number) => Math.ceil(n / 16) * 16;

/** Columns per call of the edge kernel: 2048 / 8 steps × 2·1530² per int32 lane stays below 2³¹. */
const EDGE_STRIP = 2048;

/** Source bytes per band: a band is copied into the kernel's memory, scanned and its edges summed while it is in cache. */
const BAND_BYTES = 131072;

/**
 * The RGB scan and the edge sums of a W×H 8-bit RGB raster in WebAssembly, or null when unavailable.
 * `taps`: horizontal resampling passes to run on the gray rows (results in `rows`). @internal
 */
export function scanRgb8Wasm(data: Uint8Array, W: number, H: number, taps: readonly ResampleTaps[] = []): WasmScan | null {
  const plane = W * H;
  const rowBytes = 3 * W;
  // an even number of rows per band: the resampler takes rows in pairs
  const band = Math.max(2, Math.floor(BAND_BYTES / rowBytes) & ~1);
  const tables = taps.map((t) => ({ taps: t, ...resampleKernelTaps(t), outW: t.xmin.length }));
  const K8 = tables.reduce((m, t) => Math.max(m, t.K8), 0);
  // the kernel's histograms live at address 0
  const oSrc = 6 * 1024;
  const oPlanes = align(oSrc + rowBytes * Math.min(band, H));
  const oGray = align(oPlanes + 3 * plane);
  // one spare gray row (the partner of an odd last row) and the resampler's read-ahead past the last window
  const oSums = align(oGray + plane + W + K8 + 16);
  const PW = W + 2;
  const oOut = align(oSums + PW * (H + 2) * 2);
  let o = oOut + 32;
  const placed = tables.map((t) => {
    const at = { xmin: align(o), n8: 0, hi: 0, lo: 0, dst: 0 };
    at.n8 = align(at.xmin + 4 * t.outW);
    at.hi = align(at.n8 + 4 * t.outW);
    at.lo = align(at.hi + t.hi.byteLength);
    at.dst = align(at.lo + (t.lo ? t.lo.byteLength : 0));
    o = at.dst + 4 * t.outW * (H + 1);
    return at;
  });
  const k = kernel(o);
  if (!k) return null;
  const buf = k.memory.buffer;
  const u8 = new Uint8Array(buf);
  const hist = new Uint32Array(buf, 0, 1536);
  hist.fill(0);
  tables.forEach((t, i) => {
    const at = placed[i]!;
    new Int32Array(buf, at.xmin, t.outW).set(t.taps.xmin);
    new Int32Array(buf, at.n8, t.outW).set(t.n8);
    new Int16Array(buf, at.hi, t.hi.length).set(t.hi);
    if (t.lo) new Int16Array(buf, at.lo, t.lo.length).set(t.lo);
  });
  const S = new Int16Array(buf, oSums, PW * (H + 2));
  const W8 = W - (W % 8);
  let sum = 0;
  let sumSq = 0;
  for (let y0 = 0; y0 < H; y0 += band) {
    const rows = Math.min(band, H - y0);
    u8.set(data.subarray(y0 * rowBytes, (y0 + rows) * rowBytes), oSrc);
    k.fns.s!(oSrc, W, rows, oSums + y0 * PW * 2, oGray + y0 * W, oPlanes + y0 * W, plane);
    tables.forEach((t, i) => {
      const at = placed[i]!;
      k.fns.h!(oGray + y0 * W, W, rows + (rows % 2), at.xmin, at.hi, t.lo ? at.lo : 0, t.K8, t.outW, at.dst + 4 * t.outW * y0, at.n8);
    });
    // replicate the borders of the padded sum plane (symmetric boundary)
    for (let y = y0 + 1; y <= y0 + rows; y++) {
      S[y * PW] = S[y * PW + 1]!;
      S[y * PW + W + 1] = S[y * PW + W]!;
    }
    if (y0 === 0) S.copyWithin(0, PW, 2 * PW);
    const last = y0 + rows === H;
    if (last) S.copyWithin((H + 1) * PW, H * PW, (H + 1) * PW);
    // edge rows whose three sum rows are now written (row y reads padded rows y, y + 1, y + 2)
    const from = y0 === 0 ? 0 : y0 - 1;
    const to = last ? H : y0 + rows - 1;
    // strips of at most EDGE_STRIP columns keep the kernel's per-row int32 sums of u² below 2³¹
    for (let x0 = 0; x0 < W8 && to > from; x0 += EDGE_STRIP) {
      k.fns.e!(oSums + (from * PW + x0) * 2, Math.min(EDGE_STRIP, W8 - x0), to - from, PW * 2, 3, oOut);
      const lanes = new BigInt64Array(buf, oOut, 4);
      sum += Number(lanes[0]! + lanes[1]!);
      sumSq += Number(lanes[2]! + lanes[3]!);
    }
  }
  // the last W mod 8 columns
  const maxU = 510 * 3;
  for (let y = 1; y <= H; y++) {
    for (let x = W8 + 1; x <= W; x++) {
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
    counts: [0, 1, 2].map((c) => {
      const counts = hist.slice(c * 256, (c + 1) * 256);
      for (let v = 0, o = 768 + c * 256; v < 256; v++, o++) counts[v]! += hist[o]!;
      return counts;
    }) as WasmScan["counts"],
    sum,
    sumSq,
    gray: new Uint8Array(buf, oGray, plane),
    planes: new Uint8Array(buf, oPlanes, 3 * plane),
    rows: tables.map((t, i) => new Int32Array(buf, placed[i]!.dst, t.outW * H)),
  };
}
