/*
 * A fixed-point horizontal resampling kernel for 8-bit rows (the costly first pass of a separable
 * Lanczos/bicubic/… resize), with a hand-assembled WebAssembly SIMD version and a plain JS fallback
 * that give identical integers.
 *
 *   rows(src, W, H, taps) → Int32Array (H × outW): out[y·outW + o] = Σ_j src[y·W + xmin[o] + j] · k[o·ksize + j]
 *
 * The SIMD kernel works on two rows at a time (one weight load feeds both) and runs each output only over
 * its own taps rounded up to 8. When every weight fits int16 (strong downscales, e.g. 1920 → 9) it uses
 * `i32x4.dot_i16x8_s` on 8 pixels at a time against the weights; otherwise it splits every weight into
 * `hi · 2048 + lo` (lo in 0…2047, both fit int16) and the exact integer sum is `(Σ hi·px) · 2048 + Σ lo·px`.
 * Requires |Σ w·px| < 2³¹, true for weights normalised to 2²² and 8-bit pixels (Pillow's own int32
 * accumulator has the same bound).
 */
import { invalidInput } from "./errors.js";
import { lazyKernel, type WasmFunction, wasmModule, wasmOp } from "./wasm-encoding.js";

/** Fixed-point taps of one resampling pass: output o reads `count[o]` inputs from `xmin[o]` with weights `k[o·ksize + j]`. */
export interface ResampleTaps {
  xmin: Int32Array;
  count: Int32Array;
  k: Int32Array;
  ksize: number;
}

/**
 * The SIMD kernel as a module function `h(src, W, H, xmin, khi, klo, K8, outW, dst, taps)` (byte offsets; H even — rows go in pairs; K8 = taps per output rounded up to a multiple of 8; tables of
 * int16 weights with K8 entries per output, zero-padded: `klo` 0 means `khi` holds the whole weights,
 * else their hi/lo split; `taps` the int32 tap count of each output rounded up to a multiple of 8, at
 * least 8). Writes the int32 sums row by row at `dst`. Modules that keep their own pixels in memory (the linter's scan)
 * include it to resample rows in place, with the tables of {@link resampleKernelTaps}.
 *
 * @remarks Low-level WebAssembly helper, for code that assembles its own kernels.
 */
export function resampleRowsFunction(): WasmFunction {
  const { get, set, tee, i32c: c32, add, mul, shl, ltU, simd: v } = wasmOp;
  // params 0 src, 1 W, 2 H, 3 xmin, 4 khi, 5 klo, 6 K8, 7 outW, 8 dst, 9 taps
  // i32 locals 10 y, 11 o, 12 a, 13 end, 14 bh, 15 bl, 16 row, 17 dp, 18 a1, 19 sh (11 with a split, else 0), 20 rowBytes (outW·4)
  // v128 locals 21 acch0, 22 accl0, 23 acch1, 24 accl1, 25 px0, 26 px1, 27 w
  const [src, W, H, xmin, khi, klo, K8, outW, dst, taps] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [y, o, a, end, bh, bl, row, dp, a1, sh, rowBytes] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const [acch0, accl0, acch1, accl1, px0, px1, w] = [21, 22, 23, 24, 25, 26, 27];
  const hsum = (acc: number) => [
    ...get(acc), ...v(0x1b, 0), ...get(acc), ...v(0x1b, 1), add,
    ...get(acc), ...v(0x1b, 2), add, ...get(acc), ...v(0x1b, 3), add,
  ];
  const zero = v(0x0c, ...new Array<number>(16).fill(0));
  const dotAcc = (acc: number, px: number) => [...get(acc), ...get(px), ...get(w), ...v(0xba), ...v(0xae), ...set(acc)];
  const loadW = (ptr: number) => [...get(ptr), ...v(0x00, 0, 0), ...set(w)];
  const step = (split: boolean) => [
    0x03, 0x40, // loop taps, 8 at a time
    ...get(a), ...v(0x02, 0, 0), ...set(px0), // v128.load8x8_u
    ...get(a1), ...v(0x02, 0, 0), ...set(px1),
    ...loadW(bh), ...dotAcc(acch0, px0), ...dotAcc(acch1, px1),
    ...(split ? [...loadW(bl), ...dotAcc(accl0, px0), ...dotAcc(accl1, px1), ...get(bl), ...c32(16), add, ...set(bl)] : []),
    ...get(a1), ...c32(8), add, ...set(a1),
    ...get(bh), ...c32(16), add, ...set(bh),
    ...get(a), ...c32(8), add, ...tee(a), ...get(end), ltU, 0x0d, 0,
    0x0b,
  ];
  const result = (hi: number, lo: number) => [...hsum(hi), ...get(sh), shl, ...hsum(lo), add, 0x36, 2, 0];
  // prettier-ignore
  const code = [
    2, 11, 0x7f, 7, 0x7b,
    ...get(outW), ...c32(2), shl, ...set(rowBytes),
    ...c32(11), ...c32(0), ...get(klo), 0x1b, ...set(sh), // select(11, 0, klo != 0)
    ...get(dst), ...set(dp),
    ...c32(0), ...set(y),
    0x03, 0x40, // loop row pairs
    ...get(src), ...get(y), ...get(W), mul, add, ...set(row),
    ...c32(0), ...set(o),
    0x03, 0x40, // loop outputs
    ...get(row), ...get(xmin), ...get(o), ...c32(2), shl, add, 0x28, 2, 0, add, ...tee(a), ...get(W), add, ...set(a1),
    ...get(a), ...get(taps), ...get(o), ...c32(2), shl, add, 0x28, 2, 0, add, ...set(end),
    ...get(o), ...get(K8), mul, ...c32(1), shl, ...tee(bh), ...get(klo), add, ...set(bl),
    ...get(bh), ...get(khi), add, ...set(bh),
    ...zero, ...set(acch0), ...zero, ...set(accl0), ...zero, ...set(acch1), ...zero, ...set(accl1),
    ...get(klo), 0x04, 0x40, ...step(true), 0x05, ...step(false), 0x0b,
    ...get(dp), ...result(acch0, accl0),
    ...get(dp), ...get(rowBytes), add, ...result(acch1, accl1),
    ...get(dp), ...c32(4), add, ...set(dp),
    ...get(o), ...c32(1), add, ...tee(o), ...get(outW), ltU, 0x0d, 0,
    0x0b,
    // skip the second row of the pair, already written
    ...get(dp), ...get(rowBytes), add, ...set(dp),
    ...get(y), ...c32(2), add, ...tee(y), ...get(H), ltU, 0x0d, 0,
    0x0b,
    0x0b,
  ];
  return { name: "h", params: 10, body: code };
}

/** Bytes of the SIMD module: imports memory `e.m`, exports {@link resampleRowsFunction}'s `h`. @internal */
export function resampleRowsWasm(): Uint8Array {
  return wasmModule([resampleRowsFunction()]);
}

const kernelFor = lazyKernel(resampleRowsWasm);

/** Whether the WebAssembly SIMD kernel of {@link resampleRows} is available in this runtime. */
export function resampleRowsSimd(): boolean {
  return kernelFor(0) !== null;
}

/** Below this many multiply-adds `resampleRows` uses the JS loop. */
const SIMD_MIN_MACS = 32768;

/**
 * The SIMD kernel's tables for one set of taps: whole int16 weights (`lo` null, pass `klo` 0) or their
 * hi/lo split, K8 weights per output.
 *
 * @remarks Low-level WebAssembly helper, for code that assembles its own kernels.
 */
export interface KernelTaps {
  hi: Int16Array;
  lo: Int16Array | null;
  K8: number;
  /** Taps of each output rounded up to a multiple of 8 (at least 8). */
  n8: Int32Array;
}

const splitCache = new WeakMap<ResampleTaps, KernelTaps>();

/**
 * The tables {@link resampleRowsFunction} reads for a set of taps (cached per taps object).
 *
 * @remarks Low-level WebAssembly helper, for code that assembles its own kernels.
 */
export function resampleKernelTaps(taps: ResampleTaps): KernelTaps {
  let s = splitCache.get(taps);
  if (!s) {
    const outW = taps.xmin.length;
    const K8 = Math.max(8, Math.ceil(taps.ksize / 8) * 8);
    let whole = true;
    for (let o = 0; o < outW; o++) {
      for (let j = 0; j < taps.count[o]!; j++) {
        const w = taps.k[o * taps.ksize + j]!;
        if (w < -32768 || w > 32767) whole = false;
      }
    }
    const hi = new Int16Array(outW * K8);
    const lo = whole ? null : new Int16Array(outW * K8);
    const n8 = new Int32Array(outW);
    for (let o = 0; o < outW; o++) {
      n8[o] = Math.max(8, Math.ceil(taps.count[o]! / 8) * 8);
      for (let j = 0; j < taps.count[o]!; j++) {
        const w = taps.k[o * taps.ksize + j]!;
        if (lo) {
          hi[o * K8 + j] = w >> 11;
          lo[o * K8 + j] = w & 2047;
        } else hi[o * K8 + j] = w;
      }
    }
    s = { hi, lo, K8, n8 };
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
    const { hi, lo, K8, n8 } = resampleKernelTaps(taps);
    // rows go in pairs: an odd image gets one zero row, whose sums are dropped
    const H2 = H + (H % 2);
    const srcBytes = W * H2 + K8 + 16; // the last row's last window may read past the image (weights 0)
    const align = (n: number) => Math.ceil(n / 16) * 16;
    const oX = align(srcBytes);
    const oN = oX + align(outW * 4);
    const oHi = oN + align(outW * 4);
    const oLo = oHi + align(hi.byteLength);
    const oDst = oLo + align(lo ? lo.byteLength : 0);
    const k = kernelFor(oDst + H2 * outW * 4);
    if (k) {
      const buf = k.memory.buffer;
      const u8 = new Uint8Array(buf);
      u8.set(src.subarray(0, W * H), 0);
      u8.fill(0, W * H, srcBytes);
      new Int32Array(buf, oX, outW).set(taps.xmin);
      new Int32Array(buf, oN, outW).set(n8);
      new Int16Array(buf, oHi, hi.length).set(hi);
      if (lo) new Int16Array(buf, oLo, lo.length).set(lo);
      k.fns.h!(0, W, H2, oX, oHi, lo ? oLo : 0, K8, outW, oDst, oN);
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
