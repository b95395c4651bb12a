/*
 * A fixed-point horizontal resampling kernel for 8-bit rows (the costly first pass of a separable
 * Lanczos/bicubic/… resize), with a hand-assembled WebAssembly SIMD version and a plain JS fallback
 * that give identical integers.
 *
 *   rows(src, W, H, taps) → Int32Array (H × outW): out[y·outW + o] = Σ_j src[y·W + xmin[o] + j] · k[o·ksize + j]
 *
 * The SIMD kernel splits every weight into `hi · 2048 + lo` (lo in 0…2047, both fit int16) and uses
 * `i32x4.dot_i16x8_s` on 8 pixels at a time against the hi and lo tables; the exact integer sum is
 * `(Σ hi·px) · 2048 + Σ lo·px`. Requires |Σ w·px| < 2³¹, true for weights normalised to 2²² and 8-bit
 * pixels (Pillow's own int32 accumulator has the same bound).
 */
import { invalidInput } from "./errors.js";
import { lazyKernel, wasmModule, wasmOp } from "./wasm-encoding.js";

/** Fixed-point taps of one resampling pass: output o reads `count[o]` inputs from `xmin[o]` with weights `k[o·ksize + j]`. */
export interface ResampleTaps {
  xmin: Int32Array;
  count: Int32Array;
  k: Int32Array;
  ksize: number;
}

/**
 * Bytes of the SIMD module: imports memory `e.m`, exports `h(src, W, H, xmin, khi, klo, K8, outW, dst)`
 * (byte offsets; K8 = taps per output rounded up to a multiple of 8, tables of int16 hi/lo weights
 * with K8 entries per output, zero-padded). Writes the int32 sums row by row at `dst`. @internal
 */
export function resampleRowsWasm(): Uint8Array {
  const { get, set, i32c: c32, add, mul, shl, ltU, simd: v } = wasmOp;
  // params 0 src, 1 W, 2 H, 3 xmin, 4 khi, 5 klo, 6 K8, 7 outW, 8 dst
  // i32 locals 9 y, 10 o, 11 a, 12 end, 13 bh, 14 bl, 15 row, 16 dp; v128 locals 17 acch, 18 accl, 19 px
  const [src, W, H, xmin, khi, klo, K8, outW, dst] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [y, o, a, end, bh, bl, row, dp, acch, accl, px] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const hsum = (acc: number) => [
    ...get(acc), ...v(0x1b, 0), ...get(acc), ...v(0x1b, 1), add,
    ...get(acc), ...v(0x1b, 2), add, ...get(acc), ...v(0x1b, 3), add,
  ];
  const zero = v(0x0c, ...new Array<number>(16).fill(0));
  const dotAcc = (acc: number, ptr: number) => [
    ...get(acc), ...get(px), ...get(ptr), ...v(0x00, 0, 0), ...v(0xba), ...v(0xae), ...set(acc),
  ];
  // prettier-ignore
  const body = [
    2, 8, 0x7f, 3, 0x7b,
    ...get(dst), ...set(dp),
    ...c32(0), ...set(y),
    0x03, 0x40, // loop rows
    ...get(src), ...get(y), ...get(W), mul, add, ...set(row),
    ...c32(0), ...set(o),
    0x03, 0x40, // loop outputs
    ...get(row), ...get(xmin), ...get(o), ...c32(2), shl, add, 0x28, 2, 0, add, 0x22, a, // a = row + xmin[o] (tee)
    ...get(K8), add, ...set(end),
    ...get(o), ...get(K8), mul, ...c32(1), shl, 0x22, bh, ...get(klo), add, ...set(bl),
    ...get(bh), ...get(khi), add, ...set(bh),
    ...zero, ...set(acch), ...zero, ...set(accl),
    0x03, 0x40, // loop taps, 8 at a time
    ...get(a), ...v(0x02, 0, 0), ...set(px), // v128.load8x8_u
    ...dotAcc(acch, bh), ...dotAcc(accl, bl),
    ...get(a), ...c32(8), add, ...set(a),
    ...get(bh), ...c32(16), add, ...set(bh),
    ...get(bl), ...c32(16), add, ...set(bl),
    ...get(a), ...get(end), ltU, 0x0d, 0,
    0x0b,
    ...get(dp), ...hsum(acch), ...c32(11), shl, ...hsum(accl), add, 0x36, 2, 0,
    ...get(dp), ...c32(4), add, ...set(dp),
    ...get(o), ...c32(1), add, 0x22, o, ...get(outW), ltU, 0x0d, 0,
    0x0b,
    ...get(y), ...c32(1), add, 0x22, y, ...get(H), ltU, 0x0d, 0,
    0x0b,
    0x0b,
  ];
  return wasmModule([{ name: "h", params: 9, body }]);
}

const kernelFor = lazyKernel(resampleRowsWasm);

/** Whether the WebAssembly SIMD kernel of {@link resampleRows} is available in this runtime. */
export function resampleRowsSimd(): boolean {
  return kernelFor(0) !== null;
}

/** Below this many multiply-adds `resampleRows` uses the JS loop. */
const SIMD_MIN_MACS = 32768;

const splitCache = new WeakMap<ResampleTaps, { hi: Int16Array; lo: Int16Array; K8: number }>();

function split(taps: ResampleTaps): { hi: Int16Array; lo: Int16Array; K8: number } {
  let s = splitCache.get(taps);
  if (!s) {
    const outW = taps.xmin.length;
    const K8 = Math.ceil(taps.ksize / 8) * 8;
    const hi = new Int16Array(outW * K8);
    const lo = new Int16Array(outW * K8);
    for (let o = 0; o < outW; o++) {
      for (let j = 0; j < taps.count[o]!; j++) {
        const w = taps.k[o * taps.ksize + j]!;
        hi[o * K8 + j] = w >> 11;
        lo[o * K8 + j] = w & 2047;
      }
    }
    s = { hi, lo, K8 };
    splitCache.set(taps, s);
  }
  return s;
}

/** Throw INVALID_INPUT unless the image and the taps fit together (O(outW), cached per taps object). */
function checkInput(src: Uint8Array, W: number, H: number, taps: ResampleTaps): void {
  const fn = "resampleRows";
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 1 || H < 0) throw invalidInput(fn, `image size must be positive integers (got ${W}×${H})`, { W, H });
  if (src.length < W * H) throw invalidInput(fn, `src has ${src.length} bytes, fewer than ${W}×${H}`, { W, H, length: src.length });
  const outW = taps.xmin.length;
  const { count, k, ksize, xmin } = taps;
  if (count.length !== outW || !Number.isInteger(ksize) || ksize < 0 || k.length < outW * ksize) {
    throw invalidInput(fn, `taps are inconsistent (xmin ${outW}, count ${count.length}, k ${k.length}, ksize ${ksize})`);
  }
  if (checked.get(taps) === W) return;
  for (let o = 0; o < outW; o++) {
    if (xmin[o]! < 0 || count[o]! < 0 || count[o]! > ksize || xmin[o]! + count[o]! > W) {
      throw invalidInput(fn, `tap window of output ${o} (from ${xmin[o]}, ${count[o]} taps) does not fit a row of ${W} pixels (ksize ${ksize})`, { output: o });
    }
  }
  checked.set(taps, W);
}
const checked = new WeakMap<ResampleTaps, number>();

/**
 * Horizontal fixed-point resampling of an 8-bit W×H image (row-major, one byte per pixel): the int32
 * sums (no rounding offset) of every output column of every row, H × outW, where output o of row y is
 * `Σ_j src[y·W + xmin[o] + j] · k[o·ksize + j]` for j < count[o]. Uses the WebAssembly SIMD kernel when
 * available and the pass has at least 32,768 multiply-adds (set `simd` false to force the JS loop; both
 * give the same integers). Exact while every |Σ w·px| < 2³¹ (weights normalised to 2²² and 8-bit pixels).
 * Throws INVALID_INPUT when `src` is shorter than W·H or a tap window leaves the row.
 */
export function resampleRows(src: Uint8Array, W: number, H: number, taps: ResampleTaps, simd = true): Int32Array {
  checkInput(src, W, H, taps);
  const outW = taps.xmin.length;
  const out = new Int32Array(H * outW);
  // small images: the copy into the kernel's memory costs more than the JS loop saves
  if (simd && H * outW * taps.ksize >= SIMD_MIN_MACS) {
    const { hi, lo, K8 } = split(taps);
    const srcBytes = W * H + K8 + 16; // the last row's last window may read past the image (weights 0)
    const align = (n: number) => Math.ceil(n / 16) * 16;
    const oX = align(srcBytes);
    const oHi = oX + align(outW * 4);
    const oLo = oHi + align(hi.byteLength);
    const oDst = oLo + align(lo.byteLength);
    const k = kernelFor(oDst + out.byteLength);
    if (k) {
      const buf = k.memory.buffer;
      const u8 = new Uint8Array(buf);
      u8.set(src.subarray(0, W * H), 0);
      u8.fill(0, W * H, srcBytes);
      new Int32Array(buf, oX, outW).set(taps.xmin);
      new Int16Array(buf, oHi, hi.length).set(hi);
      new Int16Array(buf, oLo, lo.length).set(lo);
      k.fns.h!(0, W, H, oX, oHi, oLo, K8, outW, oDst);
      out.set(new Int32Array(buf, oDst, out.length));
      return out;
    }
  }
  const { xmin, count, k, ksize } = taps;
  for (let y = 0, i = 0; y < H; y++) {
    const row = y * W;
    for (let o = 0; o < outW; o++, i++) {
      let acc = 0;
      for (let p = row + xmin[o]!, q = o * ksize, e = p + count[o]!; p < e; p++, q++) acc += src[p]! * k[q]!;
      out[i] = acc;
    }
  }
  return out;
}
