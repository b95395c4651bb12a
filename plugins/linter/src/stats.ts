import type { ResampleTaps } from "@assay/math";
import { scanRgb8Wasm } from "./scan-wasm.js";
import { type ChwImage, type CropWindow, chwSource, cropWindow, type PixelSource, regionToFloat64, type XyxyBox } from "./image.js";

/** Result of {@link bitDepth}: the inferred depth and the value range used to rescale. */
export interface BitDepth {
  depth: number;
  lo: number;
  hi: number;
}

const DEPTHS = [1, 8, 12, 16, 32];

/**
 * DataEval's bit-depth inference from the data's own min and max (NaN ignored): depth 0 with range
 * (min, max) when a value is negative, NaN range when there is no value, else the first of
 * 1, 8, 12, 16, 32 with `2^d > max` and range `(0, 2^d − 1)`.
 */
export function bitDepthOf(min: number, max: number): BitDepth {
  if (!(min <= max)) return { depth: 0, lo: Number.NaN, hi: Number.NaN };
  if (min < 0) return { depth: 0, lo: min, hi: max };
  const depth = DEPTHS.find((d) => 2 ** d > max) ?? 32;
  return { depth, lo: 0, hi: 2 ** depth - 1 };
}

/** {@link bitDepthOf} over an array (NaN ignored). */
export function bitDepth(values: ArrayLike<number>): BitDepth {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return bitDepthOf(min, max);
}

/** Sorted distinct non-NaN values of one channel (or all) with their multiplicities. @internal */
interface Dist {
  values: Float64Array;
  counts: Float64Array;
  n: number;
}

function distFromCounts(counts: Uint32Array | Float64Array, used: number): Dist {
  let distinct = 0;
  for (let v = 0; v < used; v++) if (counts[v]! > 0) distinct++;
  const values = new Float64Array(distinct);
  const out = new Float64Array(distinct);
  let k = 0;
  let n = 0;
  for (let v = 0; v < used; v++) {
    const c = counts[v]!;
    if (c > 0) {
      values[k] = v;
      out[k++] = c;
      n += c;
    }
  }
  return { values, counts: out, n };
}

function distFromValues(raw: Float64Array): Dist {
  const sorted = raw.slice().sort();
  let n = sorted.length;
  while (n > 0 && Number.isNaN(sorted[n - 1]!)) n--; // NaN sort last
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (values.length > 0 && values[values.length - 1] === v) counts[counts.length - 1]!++;
    else {
      values.push(v);
      counts.push(1);
    }
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(counts), n };
}

/** Pixel and visual statistics of a set of values (image-stats-linter.md §1.2–1.3). */
export interface PixelStats {
  mean: number;
  std: number;
  var: number;
  skew: number;
  kurtosis: number;
  entropy: number;
  missing: number;
  zeros: number;
  brightness: number;
  darkness: number;
  contrast: number;
  sharpness: number;
  /** P0, P25, P50, P75, P100 (numpy "linear"). */
  percentiles: [number, number, number, number, number];
  /** 256-bin histogram counts. */
  histogram: Float64Array;
}

/** Dimension statistics of a region (image-stats-linter.md §1.1). */
export interface DimensionStats {
  offset_x: number;
  offset_y: number;
  width: number;
  height: number;
  channels: number;
  size: number;
  aspect_ratio: number;
  depth: number;
  center: [number, number];
  distance_center: number;
  distance_edge: number;
  invalid_box: boolean;
}

/** Every statistic of one image or box: dimensions, pixel/visual stats, optional per-channel stats. */
export interface DatumStats extends DimensionStats, PixelStats {
  /** Per-channel pixel/visual stats (when requested), channel 0 first. */
  perChannel?: PixelStats[];
}

/** Options of {@link computeStats}. */
export interface ComputeStatsOptions {
  /** Rescale pixel values by the inferred bit depth before pixel/visual stats (default true). */
  normalize?: boolean;
  /** Also compute pixel/visual stats per channel (default false). */
  perChannel?: boolean;
  /** A box (xyxy, pixel coordinates) to compute the stats of instead of the whole image. */
  box?: XyxyBox;
}

/**
 * Every dimension, pixel and visual statistic of one image (or one box of it), exactly as
 * image-stats-linter.md defines them. Constant regions get std = var = skew = kurtosis = 0.
 */
export function computeStats(image: ChwImage, options: ComputeStatsOptions = {}): DatumStats {
  const src = chwSource(image);
  const depth = bitDepth(image.data).depth;
  const box = options.box ?? { x0: 0, y0: 0, x1: image.width, y1: image.height };
  const win = cropWindow(box);
  const region = regionToFloat64(src, win);
  return statsOfRegion(src, box, win, region, depth, options.normalize ?? true, options.perChannel ?? false);
}

/** Dimension stats of a box on an image of the given size. @internal */
export function dimensionStats(box: XyxyBox, channels: number, W: number, H: number, depth: number): DimensionStats {
  const { x0, y0, x1, y1 } = box;
  const width = x1 - x0;
  const height = y1 - y0;
  const aspect = width === 0 && height === 0 ? Number.NaN : height > width ? -(1 - width / height) : 1 - height / width;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const outside = x1 <= 0 || y1 <= 0 || x0 >= W || y0 >= H;
  return {
    offset_x: x0,
    offset_y: y0,
    width,
    height,
    channels,
    size: width * height,
    aspect_ratio: aspect,
    depth,
    center: [cx, cy],
    distance_center: Math.hypot(cx - W / 2, cy - H / 2),
    distance_edge: Math.min(Math.abs(x0), Math.abs(y0), Math.abs(x1 - W), Math.abs(y1 - H)),
    invalid_box: !(x0 < x1 && y0 < y1 && !outside),
  };
}

/**
 * Stats of an already-cropped planar region (CHW Float64Array with NaN padding). `depth` is the
 * bit depth of the full raw image. @internal
 */
export function statsOfRegion(
  src: PixelSource,
  box: XyxyBox,
  win: CropWindow,
  region: Float64Array,
  depth: number,
  normalize: boolean,
  perChannel: boolean,
): DatumStats {
  const C = src.channels;
  const plane = win.width * win.height;
  const levels = src.integerLevels;
  // distributions per channel and overall
  let all: Dist;
  const channelDists: Dist[] = [];
  const nanPerChannel = new Float64Array(C);
  const zerosPerChannel = new Float64Array(C);
  if (levels > 0) {
    const total = new Float64Array(levels + 1);
    for (let c = 0; c < C; c++) {
      const counts = new Uint32Array(levels + 1);
      let nan = 0;
      for (let i = c * plane, end = i + plane; i < end; i++) {
        const v = region[i]!;
        if (v !== v) nan++;
        else counts[v]++;
      }
      let top = levels;
      while (top >= 0 && counts[top] === 0) top--;
      nanPerChannel[c] = nan;
      zerosPerChannel[c] = counts[0]!;
      if (perChannel) channelDists.push(distFromCounts(counts, top + 1));
      for (let v = 0; v <= top; v++) total[v]! += counts[v]!;
    }
    all = distFromCounts(total, levels + 1);
  } else {
    for (let c = 0; c < C; c++) {
      const planeValues = region.subarray(c * plane, (c + 1) * plane);
      let nan = 0;
      let zeros = 0;
      for (let i = 0; i < planeValues.length; i++) {
        const v = planeValues[i]!;
        if (v !== v) nan++;
        else if (v === 0) zeros++;
      }
      nanPerChannel[c] = nan;
      zerosPerChannel[c] = zeros;
      if (perChannel) channelDists.push(distFromValues(planeValues));
    }
    all = distFromValues(region);
  }
  const g: Gathered = { all, channelDists, nanPerChannel, zerosPerChannel, elements: region.length, plane };
  const dims = dimensionStats(box, C, src.width, src.height, depth);
  const { width: w, height: h } = win;
  if (levels > 0 && nanPerChannel.every((x) => x === 0)) {
    // integer values, no padding: the exact integer convolution, as on whole rasters
    const sums = new Int32Array(plane);
    for (let c = 0; c < C; c++) for (let i = 0, o = c * plane; i < plane; i++, o++) sums[i]! += region[o]!;
    const channelSharpness = (c: number) => sharpnessOfSums(Int32Array.from(region.subarray(c * plane, (c + 1) * plane)), w, h, 1);
    return finishStats(g, dims, sharpnessOfSums(sums, w, h, C), channelSharpness, normalize, perChannel);
  }
  const channelSharpness = (c: number) => sharpness(region.subarray(c * plane, (c + 1) * plane), w, h);
  return finishStats(g, dims, sharpness(meanOverChannels(region, C, plane), w, h), channelSharpness, normalize, perChannel);
}

/** Value distributions of a region, gathered once. @internal */
interface Gathered {
  all: Dist;
  channelDists: Dist[];
  nanPerChannel: Float64Array;
  zerosPerChannel: Float64Array;
  elements: number;
  plane: number;
}

function finishStats(
  g: Gathered,
  dims: DimensionStats,
  sharp: number,
  channelSharpness: (c: number) => number,
  normalize: boolean,
  perChannel: boolean,
): DatumStats {
  const { all, channelDists, nanPerChannel, zerosPerChannel, elements, plane } = g;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  if (all.n > 0) {
    min = all.values[0]!;
    max = all.values[all.values.length - 1]!;
  }
  const range = bitDepthOf(min, max);
  const scale = makeScale(range, normalize);
  const histRange = histogramRange(all, scale, normalize);
  const totalNan = nanPerChannel.reduce((a, b) => a + b, 0);
  const totalZeros = zerosPerChannel.reduce((a, b) => a + b, 0);
  const stats: DatumStats = { ...dims, ...pixelStats(all, scale, histRange, totalNan / elements, totalZeros / elements, sharp) };
  if (perChannel) {
    stats.perChannel = channelDists.map((d, c) =>
      pixelStats(d, scale, histRange, nanPerChannel[c]! / plane, zerosPerChannel[c]! / plane, channelSharpness(c)),
    );
  }
  return stats;
}

/**
 * Everything one pass over an interleaved 8-bit RGB raster gathers: per-channel histograms, the
 * sharpness of the channel mean (integer convolution on channel sums, done row by row as the rows are
 * read, so no full-size sum plane is written) and the Rec. 601 gray of the perceptual hashes (valid
 * when the raster's maximum exceeds 1). @internal
 */
export interface RgbScan {
  counts: [Uint32Array, Uint32Array, Uint32Array];
  sharpness: number;
  gray: Uint8Array;
  /** The CHW channel bytes (WebAssembly scan only). With it, `gray` and `planes` are views valid until the next scan. */
  planes?: Uint8Array;
  /** `resampleRows(gray, W, H, taps[i])` for each requested set of taps (WebAssembly scan only). */
  rows?: Int32Array[];
}

/**
 * One fused pass over a W×H 8-bit RGB raster (see {@link RgbScan}): in WebAssembly when available and
 * the raster has at least 4,096 pixels (`wasm` false forces the JS loop; both give identical results).
 * The WebAssembly scan also runs the horizontal resampling passes `taps` on the gray rows. @internal
 */
export function scanRgb8(data: Uint8Array, W: number, H: number, wasm = true, taps: readonly ResampleTaps[] = []): RgbScan {
  // small rasters: the JS loop beats the copy into the kernel's memory
  const fast = wasm && W * H >= 4096 ? scanRgb8Wasm(data, W, H, taps) : null;
  if (fast) return { counts: fast.counts, sharpness: stdOfU(fast.sum, fast.sumSq, W * H, 3), gray: fast.gray, planes: fast.planes, rows: fast.rows };
  const c0 = new Uint32Array(256);
  const c1 = new Uint32Array(256);
  const c2 = new Uint32Array(256);
  const gray = new Uint8Array(W * H);
  const counts: RgbScan["counts"] = [c0, c1, c2];
  // channel sums of rows y (cur) and y + 1 (next); horizontal 3-sums of rows y − 1, y, y + 1
  let sCur = new Int32Array(W);
  let sNext = new Int32Array(W);
  let tPrev = new Int32Array(W);
  let tCur = new Int32Array(W);
  let tNext = new Int32Array(W);
  const readRow = (y: number, s: Int32Array, t: Int32Array) => {
    for (let x = 0, k = y * W * 3, i = y * W; x < W; x++, k += 3, i++) {
      const r = data[k]!;
      const g = data[k + 1]!;
      const b = data[k + 2]!;
      c0[r]!++;
      c1[g]!++;
      c2[b]!++;
      s[x] = r + g + b;
      // the float64 expression of canonicalGray; in [0, 255], so the byte store truncates like it
      gray[i] = r * 0.299 + g * 0.587 + b * 0.114;
    }
    rowTriple(s, 0, W, t);
  };
  readRow(0, sCur, tCur);
  tPrev.set(tCur);
  const maxU = 510 * 3;
  let sum = 0;
  let sumSq = 0;
  for (let y = 0; y < H; y++) {
    if (y + 1 < H) readRow(y + 1, sNext, tNext);
    else tNext.set(tCur);
    for (let x = 0; x < W; x++) {
      let u = 2 * (9 * sCur[x]! - tPrev[x]! - tCur[x]! - tNext[x]!) + 3;
      u = u < 0 ? 0 : u > maxU ? maxU : u;
      sum += u;
      sumSq += u * u;
    }
    const s = sCur;
    sCur = sNext;
    sNext = s;
    const t = tPrev;
    tPrev = tCur;
    tCur = tNext;
    tNext = t;
  }
  return { counts, sharpness: stdOfU(sum, sumSq, W * H, 3), gray };
}

/** Std of the edge values `u / (2C)` from the exact integer sums Σu, Σu² over n values. @internal */
export function stdOfU(sum: number, sumSq: number, n: number, C: number): number {
  // n²·var(u) = n·Σu² − (Σu)², exactly in integers
  const num = BigInt(n) * BigInt(sumSq) - BigInt(sum) * BigInt(sum);
  return Math.sqrt(Number(num) / n / n) / (2 * C);
}

/**
 * Stats of a whole decoded raster read in place (no float copy, no NaN): the fast path of
 * `imageStats()`; equal to {@link statsOfRegion} on the full-image region. Histograms are integer
 * counts per channel, the sharpness convolution runs on integer channel sums. `depth` undefined:
 * inferred from the raster's own histogram. `scan`: an {@link RgbScan} of the same raster. @internal
 */
export function statsOfRaster(src: PixelSource, depth: number | undefined, normalize: boolean, perChannel: boolean, scan?: RgbScan): DatumStats {
  const { channels: C, width: W, height: H } = src;
  const data = src.data as Uint8Array | Uint16Array;
  const plane = W * H;
  const levels = src.integerLevels;
  const total = new Float64Array(levels + 1);
  const channelDists: Dist[] = [];
  const zerosPerChannel = new Float64Array(C);
  const counts = new Uint32Array(levels + 1);
  for (let c = 0; c < C; c++) {
    const cc = scan ? scan.counts[c as 0 | 1 | 2] : counts;
    if (!scan) {
      if (c > 0) counts.fill(0);
      countStrided(data, c, C, plane * C, counts);
    }
    let top = levels;
    while (top >= 0 && cc[top] === 0) top--;
    zerosPerChannel[c] = cc[0]!;
    if (perChannel) channelDists.push(distFromCounts(cc, top + 1));
    for (let v = 0; v <= top; v++) total[v]! += cc[v]!;
  }
  const all = distFromCounts(total, levels + 1);
  // the bit depth of the raw raster, from its own histogram when the caller did not infer it
  const rawDepth = depth ?? (all.n > 0 ? bitDepthOf(all.values[0]!, all.values[all.values.length - 1]!).depth : 0);
  const gathered: Gathered = {
    all,
    channelDists,
    nanPerChannel: new Float64Array(C),
    zerosPerChannel,
    elements: plane * C,
    plane,
  };
  let sharp: number;
  if (scan) sharp = scan.sharpness;
  else {
    const sums = new Int32Array(plane);
    channelSums(data, C, plane, sums);
    sharp = sharpnessOfSums(sums, W, H, C);
  }
  const channelSharpness = (c: number) => {
    const ch = new Int32Array(plane);
    for (let i = 0, k = c; i < plane; i++, k += C) ch[i] = data[k]!;
    return sharpnessOfSums(ch, W, H, 1);
  };
  return finishStats(gathered, dimensionStats({ x0: 0, y0: 0, x1: W, y1: H }, C, W, H, rawDepth), sharp, channelSharpness, normalize, perChannel);
}

/** `counts[data[k]]++` for k = start, start + step, … < end. */
function countStrided(data: Uint8Array | Uint16Array, start: number, step: number, end: number, counts: Uint32Array): void {
  if (step === 1) {
    for (let k = start; k < end; k++) counts[data[k]!]!++;
    return;
  }
  for (let k = start; k < end; k += step) counts[data[k]!]!++;
}

/** Per-pixel sum over the C interleaved channels. */
function channelSums(data: Uint8Array | Uint16Array, C: number, plane: number, out: Int32Array): void {
  if (C === 1) {
    out.set(data.subarray(0, plane));
  } else if (C === 3) {
    for (let i = 0, k = 0; i < plane; i++, k += 3) out[i] = data[k]! + data[k + 1]! + data[k + 2]!;
  } else {
    for (let i = 0, k = 0; i < plane; i++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += data[k++]!;
      out[i] = s;
    }
  }
}

/**
 * {@link sharpness} of the channel mean `G = S / C` of integer channel sums `S` (W×H), computed
 * exactly in integers: the convolution of G plus 0.5 is `(9·S − box3×3(S)) / C + 0.5`, so the clipped
 * edge value is `u / (2C)` with the integer `u = clip(2·(9·S − box) + C, 0, 510·C)`; the std comes
 * from the histogram of u. Equal to the float64 formula up to its last-bit rounding. @internal
 */
export function sharpnessOfSums(S: Int32Array, W: number, H: number, C: number): number {
  const maxU = 510 * C;
  // Σu and Σu² are exact in float64 (n·maxU² < 2⁵³ for any image below 2·10⁹ pixels)
  let sum = 0;
  let sumSq = 0;
  // rolling horizontal 3-sums of rows y−1, y, y+1 (symmetric boundary: edges repeat)
  let prev = new Int32Array(W);
  let cur = new Int32Array(W);
  let next = new Int32Array(W);
  rowTriple(S, 0, W, cur);
  prev.set(cur);
  for (let y = 0; y < H; y++) {
    if (y + 1 < H) rowTriple(S, (y + 1) * W, W, next);
    else next.set(cur);
    const row = y * W;
    for (let x = 0; x < W; x++) {
      let u = 2 * (9 * S[row + x]! - prev[x]! - cur[x]! - next[x]!) + C;
      u = u < 0 ? 0 : u > maxU ? maxU : u;
      sum += u;
      sumSq += u * u;
    }
    const t = prev;
    prev = cur;
    cur = next;
    next = t;
  }
  return stdOfU(sum, sumSq, W * H, C);
}

function rowTriple(S: Int32Array, off: number, W: number, out: Int32Array): void {
  if (W === 1) {
    out[0] = 3 * S[off]!;
    return;
  }
  out[0] = 2 * S[off]! + S[off + 1]!;
  for (let x = 1; x < W - 1; x++) out[x] = S[off + x - 1]! + S[off + x]! + S[off + x + 1]!;
  out[W - 1] = S[off + W - 2]! + 2 * S[off + W - 1]!;
}

function makeScale(range: BitDepth, normalize: boolean): (v: number) => number {
  if (!normalize || range.depth === 1) return (v) => v;
  const { lo, hi } = range;
  const span = hi - lo;
  // a constant negative region has span 0: DataEval divides 0 by 0 (NaN); assay maps it to 0
  if (!(span > 0)) return () => 0;
  return (v) => (v - lo) / span;
}

function histogramRange(all: Dist, scale: (v: number) => number, normalize: boolean): [number, number] {
  if (normalize || all.n === 0) return [0, 1];
  const scaledMax = scale(all.values[all.values.length - 1]!);
  const scaledMin = scale(all.values[0]!);
  const d = bitDepthOf(scaledMin, scaledMax);
  return d.depth === 0 ? [0, 1] : [0, 2 ** d.depth - 1];
}

const NAN_PIXEL: Omit<PixelStats, "missing" | "zeros" | "sharpness" | "histogram"> = {
  mean: Number.NaN,
  std: Number.NaN,
  var: Number.NaN,
  skew: Number.NaN,
  kurtosis: Number.NaN,
  entropy: 0,
  brightness: Number.NaN,
  darkness: Number.NaN,
  contrast: Number.NaN,
  percentiles: [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN],
};

function pixelStats(
  dist: Dist,
  scale: (v: number) => number,
  histRange: [number, number],
  missing: number,
  zeros: number,
  sharp: number,
): PixelStats {
  const histogram = new Float64Array(256);
  if (dist.n === 0) return { ...NAN_PIXEL, percentiles: [...NAN_PIXEL.percentiles], missing, zeros, sharpness: sharp, histogram };
  const k = dist.values.length;
  const s = new Float64Array(k);
  for (let i = 0; i < k; i++) s[i] = scale(dist.values[i]!);
  const n = dist.n;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += s[i]! * dist.counts[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  if (k > 1) {
    for (let i = 0; i < k; i++) {
      const d = s[i]! - mean;
      const d2 = d * d;
      const c = dist.counts[i]!;
      m2 += c * d2;
      m3 += c * d2 * d;
      m4 += c * d2 * d2;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
  }
  const constant = k === 1 || m2 === 0;
  // histogram with numpy's bin assignment rules
  const [lo, hi] = histRange;
  const norm = 256 / (hi - lo);
  const step = (hi - lo) / 256;
  const edge = (i: number) => (i === 256 ? hi : lo + i * step);
  let histTotal = 0;
  for (let i = 0; i < k; i++) {
    const v = s[i]!;
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.trunc((v - lo) * norm);
    if (b === 256) b = 255;
    if (v < edge(b)) b--;
    else if (b !== 255 && v >= edge(b + 1)) b++;
    histogram[b]! += dist.counts[i]!;
    histTotal += dist.counts[i]!;
  }
  let entropy = 0;
  if (histTotal > 0) {
    for (let b = 0; b < 256; b++) {
      const c = histogram[b]!;
      if (c > 0) {
        const p = c / histTotal;
        entropy -= p * Math.log(p);
      }
    }
  }
  const percentiles = [0, 0.25, 0.5, 0.75, 1].map((q) => linearQuantile(s, dist.counts, n, q)) as PixelStats["percentiles"];
  const pMean = (percentiles[0] + percentiles[1] + percentiles[2] + percentiles[3] + percentiles[4]) / 5;
  return {
    mean,
    std: constant ? 0 : Math.sqrt(m2),
    var: constant ? 0 : m2,
    skew: constant ? 0 : m3 / m2 ** 1.5,
    kurtosis: constant ? 0 : m4 / (m2 * m2) - 3,
    entropy,
    missing,
    zeros,
    brightness: percentiles[1],
    darkness: percentiles[3],
    contrast: (Math.max(...percentiles) - Math.min(...percentiles)) / (pMean + 1e-12),
    sharpness: sharp,
    percentiles,
    histogram,
  };
}

/** The value at sorted rank `r` of a distinct-values distribution. */
function atRank(values: Float64Array, counts: Float64Array, r: number): number {
  let acc = 0;
  for (let i = 0; i < values.length; i++) {
    acc += counts[i]!;
    if (r < acc) return values[i]!;
  }
  return values[values.length - 1]!;
}

/** numpy's "linear" quantile (q in [0, 1]) of a sorted multiset, with numpy's lerp. */
function linearQuantile(values: Float64Array, counts: Float64Array, n: number, q: number): number {
  const t = n * q - q;
  const lo = Math.floor(t);
  const hi = Math.min(lo + 1, n - 1);
  const f = t - lo;
  const a = atRank(values, counts, lo);
  const b = atRank(values, counts, hi);
  const diff = b - a;
  return f >= 0.5 ? b - diff * (1 - f) : a + diff * f;
}

function meanOverChannels(region: Float64Array, C: number, plane: number): Float64Array {
  if (C === 1) return region;
  const out = new Float64Array(plane);
  for (let c = 0; c < C; c++) {
    const off = c * plane;
    for (let i = 0; i < plane; i++) out[i]! += region[off + i]!;
  }
  for (let i = 0; i < plane; i++) out[i]! /= C;
  return out;
}

/**
 * DataEval's sharpness: population std (NaN ignored) of `clip(conv(G, K) + 0.5, 0, 255)` with the 3×3
 * Laplacian-like kernel (8 centre, −1 around) and symmetric boundary; NaN when every value is NaN.
 */
export function sharpness(gray: ArrayLike<number>, width: number, height: number): number {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  const edges = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const ym = y === 0 ? 0 : y - 1;
    const yp = y === height - 1 ? y : y + 1;
    for (let x = 0; x < width; x++) {
      const xm = x === 0 ? 0 : x - 1;
      const xp = x === width - 1 ? x : x + 1;
      const around =
        (gray[ym * width + xm] as number) +
        (gray[ym * width + x] as number) +
        (gray[ym * width + xp] as number) +
        (gray[y * width + xm] as number) +
        (gray[y * width + xp] as number) +
        (gray[yp * width + xm] as number) +
        (gray[yp * width + x] as number) +
        (gray[yp * width + xp] as number);
      let e = 8 * (gray[y * width + x] as number) - around + 0.5;
      if (e !== e) {
        edges[y * width + x] = Number.NaN;
        continue;
      }
      e = e < 0 ? 0 : e > 255 ? 255 : e;
      edges[y * width + x] = e;
      n++;
      sum += e;
    }
  }
  if (n === 0) return Number.NaN;
  const mean = sum / n;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    if (e === e) sumSq += (e - mean) * (e - mean);
  }
  return Math.sqrt(sumSq / n);
}

export type { PixelSource };
