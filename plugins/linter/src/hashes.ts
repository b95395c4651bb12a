import { AssayError } from "@assay/core";
import { resampleRows } from "@assay/math";
import { xxh3 } from "@node-rs/xxhash";
import type { RasterImage } from "@assay/core";
import type { ChwImage } from "./image.js";

/**
 * XXH3-64 (seed 0) of bytes, as 16 lowercase hex digits. The exact hash of duplicates.md §2 is this
 * digest over the float64 little-endian bytes of the CHW region.
 */
export function xxhash64(bytes: ArrayBufferView): string {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return xxh3.xxh64(view).toString(16).padStart(16, "0");
}

/**
 * The exact hash of a decoded raster without materialising its float64 copy: the CHW values are
 * converted in small chunks and streamed into XXH3-64 (same digest as {@link exactHash}). `planes`:
 * the raster's channel planes as bytes (8-bit rasters), when the caller already has them.
 */
export function exactHashRaster(image: RasterImage, planes?: Uint8Array): string {
  const { channels: C, data } = image;
  const plane = image.width * image.height;
  const total = plane * C;
  const chunk = HASH_CHUNK;
  if (total <= chunk.length) {
    // small image: its whole float64 copy fits the reusable chunk, hash it in one call
    if (planes) chunk.set(planes.subarray(0, total));
    else if (C === 1) chunk.set(data.subarray(0, total));
    else for (let c = 0; c < C; c++) deinterleave(data, c, C, plane, chunk.subarray(c * plane, (c + 1) * plane));
    return xxh3.xxh64(HASH_BYTES.subarray(0, total * 8)).toString(16).padStart(16, "0");
  }
  const h = xxh3.Xxh3.withSeed(0n);
  for (let c = 0; c < C; c++) {
    for (let start = 0; start < plane; start += chunk.length) {
      const n = Math.min(chunk.length, plane - start);
      if (planes) chunk.set(planes.subarray(c * plane + start, c * plane + start + n));
      else if (C === 1) chunk.set(data.subarray(start, start + n));
      else deinterleave(data, start * C + c, C, n, chunk);
      h.update(n === chunk.length ? HASH_BYTES : HASH_BYTES.subarray(0, n * 8));
    }
  }
  return h.digest().toString(16).padStart(16, "0");
}

/** Reusable conversion buffer of the exact hash (each worker thread has its own module state). */
const HASH_CHUNK = new Float64Array(32768);
const HASH_BYTES = Buffer.from(HASH_CHUNK.buffer);

function deinterleave(data: Uint8Array | Uint16Array, k: number, step: number, n: number, out: Float64Array): void {
  for (let j = 0; j < n; j++, k += step) out[j] = data[k]!;
}

/** The exact hash of an image: XXH3-64 of its CHW values as float64 little-endian bytes. */
export function exactHash(image: ChwImage): string {
  const data = image.data instanceof Float64Array ? image.data : Float64Array.from(image.data);
  return xxhash64(data);
}

/** A single-channel 8-bit image, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const toByte = (v: number) => (v !== v ? 0 : v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v));

/**
 * DataEval's canonical grayscale (duplicates.md §3) of a CHW float region (NaN allowed): [0, 1]
 * data ×255; 1 channel as is; RGB by Rec. 601; 4 channels as CMYK or RGBA-over-white by a
 * heuristic; otherwise the channel mean; NaN → 0, clip to [0, 255], truncate.
 */
export function canonicalGray(image: ChwImage): GrayImage {
  return grayStrided(image.data, image.channels, image.height, image.width, image.height * image.width, 1);
}

/**
 * {@link canonicalGray} of a decoded (interleaved) raster, read in place. `depth` (the inferred bit
 * depth, when the caller knows it) lets 8-bit rasters whose maximum exceeds 1 skip the min/max scan.
 */
export function canonicalGrayRaster(image: RasterImage, depth?: number): GrayImage {
  const { width: W, height: H, channels: C, data } = image;
  if (depth !== undefined && depth > 1 && data instanceof Uint8Array && (C === 1 || C === 3)) {
    const plane = W * H;
    if (C === 1) return { width: W, height: H, data: data.subarray(0, plane) };
    const out = new Uint8Array(plane);
    // same float64 expression as grayStrided; the result is in [0, 255], so the byte store truncates
    for (let i = 0, k = 0; i < plane; i++, k += 3) out[i] = data[k]! * 0.299 + data[k + 1]! * 0.587 + data[k + 2]! * 0.114;
    return { width: W, height: H, data: out };
  }
  return grayStrided(data, C, H, W, 1, C);
}

/** Value of channel c at pixel i: `data[c * cStride + i * pStride]`. */
function grayStrided(source: ArrayLike<number>, C: number, H: number, W: number, cStride: number, pStride: number): GrayImage {
  const plane = H * W;
  let data: ArrayLike<number> = source;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (data.length > 0 && !(min < 0) && !(max > 1)) {
    const scaled = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) scaled[i] = (data[i] as number) * 255;
    data = scaled;
  }
  const out = new Uint8Array(plane);
  const at = (c: number, i: number) => data[c * cStride + i * pStride] as number;
  if (C === 1) {
    for (let i = 0; i < plane; i++) out[i] = toByte(at(0, i));
  } else if (C === 3) {
    for (let i = 0; i < plane; i++) out[i] = toByte(at(0, i) * 0.299 + at(1, i) * 0.587 + at(2, i) * 0.114);
  } else if (C === 4) {
    // sample the 4th channel on a 4-px grid to tell CMYK from RGBA
    let n = 0;
    let sum = 0;
    for (let y = 0; y < H; y += 4) for (let x = 0; x < W; x += 4, n++) sum += at(3, y * W + x);
    const m = sum / n;
    let ss = 0;
    for (let y = 0; y < H; y += 4) for (let x = 0; x < W; x += 4) ss += (at(3, y * W + x) - m) ** 2;
    const s = Math.sqrt(ss / n);
    if (s > 35 && m > 40 && m < 215) {
      for (let i = 0; i < plane; i++) {
        const c = at(0, i) / 255;
        const mg = at(1, i) / 255;
        const ye = at(2, i) / 255;
        const k = at(3, i) / 255;
        const r = 255 * (1 - c) * (1 - k);
        const g = 255 * (1 - mg) * (1 - k);
        const b = 255 * (1 - ye) * (1 - k);
        out[i] = toByte(0.299 * r + 0.587 * g + 0.114 * b);
      }
    } else {
      for (let i = 0; i < plane; i++) {
        const alpha = at(3, i) / 255;
        const bg = 255 * (1 - alpha);
        const r = at(0, i) * alpha + bg;
        const g = at(1, i) * alpha + bg;
        const b = at(2, i) * alpha + bg;
        out[i] = toByte(0.299 * r + 0.587 * g + 0.114 * b);
      }
    }
  } else {
    for (let i = 0; i < plane; i++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += at(c, i);
      out[i] = toByte(s / C);
    }
  }
  return { width: W, height: H, data: out };
}

const PRECISION = 22;
const ONE = 2 ** PRECISION;
const HALF = 2 ** (PRECISION - 1);

function lanczos(t: number): number {
  if (t < -3 || t >= 3) return 0;
  return sinc(t) * sinc(t / 3);
}

function sinc(t: number): number {
  if (t === 0) return 1;
  const x = t * Math.PI;
  return Math.sin(x) / x;
}

interface Coeffs {
  xmin: Int32Array;
  count: Int32Array;
  /** Integer weights, `ksize` per output. */
  k: Int32Array;
  ksize: number;
}

const coeffCache = new Map<number, Coeffs>();

/** Pillow's Lanczos coefficients for one resampling pass, in 22-bit fixed point (cached). @internal */
export function lanczosCoefficients(inSize: number, outSize: number): Coeffs {
  const key = inSize * 65536 + outSize;
  let c = coeffCache.get(key);
  if (!c) {
    if (coeffCache.size > 4096) coeffCache.clear();
    c = computeCoefficients(inSize, outSize);
    coeffCache.set(key, c);
  }
  return c;
}

function computeCoefficients(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const fs = Math.max(scale, 1);
  const support = 3 * fs;
  const ksize = Math.ceil(support) * 2 + 1;
  const xmin = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    const cnt = hi - lo;
    let total = 0;
    for (let j = 0; j < cnt; j++) {
      const v = lanczos((j + lo - center + 0.5) / fs);
      w[j] = v;
      total += v;
    }
    for (let j = 0; j < cnt; j++) {
      const v = total !== 0 ? w[j]! / total : w[j]!;
      k[o * ksize + j] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    xmin[o] = lo;
    count[o] = cnt;
  }
  return { xmin, count, k, ksize };
}

const clip8 = (acc: number) => (acc <= 0 ? 0 : acc >= 2 ** 30 ? 255 : Math.floor(acc / ONE));

let simdResize = true;

/** Vertical passes with at least this many multiply-adds are transposed and run through `resampleRows`' SIMD kernel. */
const VERTICAL_SIMD_MACS = 32768;

/** Use (default) or bypass the WebAssembly SIMD kernel of the horizontal resize pass (for tests and benchmarks). @internal */
export function useSimdResize(on: boolean): void {
  simdResize = on;
}

/** Pillow-exact Lanczos resize of an 8-bit gray image to `outW × outH` (horizontal pass first). */
export function resizeLanczos(image: GrayImage, outW: number, outH: number): GrayImage {
  return resizeWith(image, outW, outH);
}

/**
 * Sums of horizontal Lanczos passes computed elsewhere (the scan kernel runs them on the gray rows it
 * produces): output width → `resampleRows(gray, W, H, lanczosCoefficients(W, outW))`. @internal
 */
export type HorizontalSums = ReadonlyMap<number, Int32Array>;

/** {@link resizeLanczos}, taking the horizontal pass's sums from `horizontal` when given. */
function resizeWith(image: GrayImage, outW: number, outH: number, horizontal?: Int32Array): GrayImage {
  let { width: W, height: H, data } = image;
  if (outW !== W && H > 0) {
    const sums = horizontal ?? resampleRows(data, W, H, lanczosCoefficients(W, outW), simdResize);
    const next = new Uint8Array(outW * H);
    for (let i = 0; i < next.length; i++) next[i] = clip8(sums[i]! + HALF);
    data = next;
    W = outW;
  }
  if (outH !== H) {
    const c = lanczosCoefficients(H, outH);
    const next = new Uint8Array(W * outH);
    if (W * outH * c.ksize >= VERTICAL_SIMD_MACS) {
      // the vertical pass is the horizontal one on the transposed image (the same integer sums), in SIMD
      const columns = new Uint8Array(W * H);
      for (let y = 0; y < H; y++) for (let x = 0, i = y * W; x < W; x++, i++) columns[x * H + y] = data[i]!;
      const sums = resampleRows(columns, H, W, c, simdResize);
      for (let x = 0; x < W; x++) for (let o = 0; o < outH; o++) next[o * W + x] = clip8(sums[x * outH + o]! + HALF);
    } else {
      for (let o = 0; o < outH; o++) {
        const base = o * c.ksize;
        const y0 = c.xmin[o]!;
        const n = c.count[o]!;
        for (let x = 0; x < W; x++) {
          let acc = HALF;
          for (let j = 0; j < n; j++) acc += data[(y0 + j) * W + x]! * c.k[base + j]!;
          next[o * W + x] = clip8(acc);
        }
      }
    }
    data = next;
    H = outH;
  }
  return { width: W, height: H, data };
}

function bitsToHex(bits: ArrayLike<boolean>): string {
  let hex = "";
  for (let i = 0; i < 64; i += 4) {
    const nibble = (bits[i] ? 8 : 0) | (bits[i + 1] ? 4 : 0) | (bits[i + 2] ? 2 : 0) | (bits[i + 3] ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}

/** pHash resize size n for an image whose smaller side is `minSide` (0 = too small to hash). */
export function phashSize(minSide: number): number {
  if (minSide < 9) return 0;
  return 8 * Math.min(Math.floor((minSide - 1) / 8), 4);
}

const cosTables = new Map<number, Float64Array>();
function cosTable(n: number): Float64Array {
  let t = cosTables.get(n);
  if (!t) {
    t = new Float64Array(8 * n);
    for (let u = 0; u < 8; u++) for (let y = 0; y < n; y++) t[u * n + y] = 2 * Math.cos((Math.PI * u * (2 * y + 1)) / (2 * n));
    cosTables.set(n, t);
  }
  return t;
}

/** The 8×8 low-frequency block of the unnormalised 2-D DCT-II of an n×n image, row-major (u, v). @internal */
export function dctLowBlock(im: GrayImage): Float64Array {
  const n = im.width;
  const t = cosTable(n);
  // along y first (scipy's dct(dct(im, axis=0), axis=1) order), then along x
  const cols = new Float64Array(8 * n); // cols[u][x]
  for (let u = 0; u < 8; u++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let y = 0; y < n; y++) s += t[u * n + y]! * im.data[y * n + x]!;
      cols[u * n + x] = s;
    }
  }
  const F = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let s = 0;
      for (let x = 0; x < n; x++) s += cols[u * n + x]! * t[v * n + x]!;
      F[u * 8 + v] = s;
    }
  }
  const snap = 1e-9 * Math.max(1, Math.abs(F[0]!));
  for (let i = 0; i < 64; i++) if (Math.abs(F[i]!) < snap) F[i] = 0;
  return F;
}

function phashOfGray(g: GrayImage, n: number, horizontal?: HorizontalSums): string {
  const F = dctLowBlock(resizeWith(g, n, n, horizontal?.get(n)));
  const sorted = F.slice().sort();
  const med = (sorted[31]! + sorted[32]!) / 2;
  const bits: boolean[] = [];
  for (let i = 0; i < 64; i++) bits.push(F[i]! > med);
  return bitsToHex(bits);
}

function dhashOfGray(g: GrayImage, horizontal?: HorizontalSums): string {
  const im = resizeWith(g, 9, 9, horizontal?.get(9));
  const bits: boolean[] = [];
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) bits.push(im.data[r * 9 + c]! > im.data[r * 9 + c + 1]!);
  return bitsToHex(bits);
}

/** Counter-clockwise rotation by 90° (numpy `rot90`). */
function rot90(g: GrayImage): GrayImage {
  const { width: W, height: H, data } = g;
  const out = new Uint8Array(W * H);
  // out has H' = W rows, W' = H columns; out[i][j] = g[j][W-1-i]
  for (let i = 0; i < W; i++) for (let j = 0; j < H; j++) out[i * H + j] = data[j * W + (W - 1 - i)]!;
  return { width: H, height: W, data: out };
}

function fliplr(g: GrayImage): GrayImage {
  const { width: W, height: H, data } = g;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = data[y * W + (W - 1 - x)]!;
  return { width: W, height: H, data: out };
}

function d4Min(g: GrayImage, hash: (g: GrayImage) => string): string {
  let best: string | undefined;
  let cur = g;
  for (let k = 0; k < 4; k++) {
    if (k > 0) cur = rot90(cur);
    for (const variant of [cur, fliplr(cur)]) {
      const h = hash(variant);
      if (best === undefined || h < best) best = h;
    }
  }
  return best!;
}

/** The perceptual hashes of one image (16 hex digits each; `""` when the smaller side is < 9 px). */
export interface PerceptualHashes {
  phash: string;
  dhash: string;
  phash_d4?: string;
  dhash_d4?: string;
}

/**
 * pHash and dHash (duplicates.md §5–6) of a gray image; with `d4` also the rotation/flip-invariant
 * variants (the smallest hash over the 8 rotations and mirrors). `horizontal`: the image's horizontal
 * Lanczos sums, when already computed.
 */
export function perceptualHashes(gray: GrayImage, options: { d4?: boolean } = {}, horizontal?: HorizontalSums): PerceptualHashes {
  const n = phashSize(Math.min(gray.width, gray.height));
  if (n === 0) return options.d4 ? { phash: "", dhash: "", phash_d4: "", dhash_d4: "" } : { phash: "", dhash: "" };
  const out: PerceptualHashes = { phash: phashOfGray(gray, n, horizontal), dhash: dhashOfGray(gray, horizontal) };
  if (options.d4) {
    out.phash_d4 = d4Min(gray, (g) => phashOfGray(g, n));
    out.dhash_d4 = d4Min(gray, dhashOfGray);
  }
  return out;
}

/** pHash of a CHW image (`""` when min(H, W) < 9). */
export function phash(image: ChwImage): string {
  return perceptualHashes(canonicalGray(image)).phash;
}

/** dHash of a CHW image (`""` when min(H, W) < 9). */
export function dhash(image: ChwImage): string {
  return perceptualHashes(canonicalGray(image)).dhash;
}

/** Hamming distance of two equal-length hex hashes; −1 when lengths differ or a hash is empty. */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length || a.length === 0) return -1;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = Number.parseInt(a[i]!, 16) ^ Number.parseInt(b[i]!, 16);
    while (x) {
      d += x & 1;
      x >>= 1;
    }
  }
  return d;
}

/**
 * DataEval's seed-era `pchash` (duplicates.md §10): gray = channel mean rescaled to 8 bits by its own
 * inferred bit depth, truncated; then the pHash; hex without leading zeros (`"0"` when all bits are 0).
 * @throws AssayError `INVALID_INPUT` ("Image must be larger than 8x8 for fuzzy hashing.") when min(H, W) < 9.
 */
export function legacyPchash(image: ChwImage): string {
  const { channels: C, height: H, width: W } = image;
  const n = phashSize(Math.min(H, W));
  if (n === 0) throw new AssayError("INVALID_INPUT", "Image must be larger than 8x8 for fuzzy hashing.", { plugin: "@assay/linter" });
  const plane = H * W;
  const meanImg = new Float64Array(plane);
  for (let i = 0; i < plane; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += image.data[c * plane + i] as number;
    meanImg[i] = s / C;
  }
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const v of meanImg) {
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const depth = min < 0 ? 0 : ([1, 8, 12, 16, 32].find((d) => 2 ** d > max) ?? 32);
  const gray = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) {
    const v = depth === 8 ? meanImg[i]! : (meanImg[i]! / (2 ** depth - 1)) * 255;
    gray[i] = toByte(v);
  }
  const hex = perceptualHashes({ width: W, height: H, data: gray }).phash;
  return hex.replace(/^0+/, "") || "0";
}
