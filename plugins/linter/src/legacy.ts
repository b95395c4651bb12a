import { AssayError } from "@assay/core";
import { mean, median, quantile, std } from "@assay/math";
import { legacyPchash, xxhash64 } from "./hashes.js";
import type { ChwImage } from "./image.js";
import { bitDepth, computeStats, type DatumStats, type PixelStats } from "./stats.js";

/** The statistics of DataEval's seed-era `imagestats`, in its flag order (hash, property, statistics, visuals). */
export const LEGACY_IMAGE_STATS = [
  "xxhash",
  "pchash",
  "width",
  "height",
  "size",
  "aspect_ratio",
  "channels",
  "depth",
  "mean",
  "std",
  "var",
  "skew",
  "kurtosis",
  "entropy",
  "percentiles",
  "histogram",
  "brightness",
  "blurriness",
  "missing",
  "zero",
] as const;

/** A statistic name of {@link legacyImageStats}. */
export type LegacyImageStat = (typeof LEGACY_IMAGE_STATS)[number];

/** The per-channel statistics of DataEval's seed-era `channelstats` (its default flags: the image statistics). */
export const LEGACY_CHANNEL_STATS = ["mean", "std", "var", "skew", "kurtosis", "entropy", "percentiles", "histogram"] as const;

/** A statistic name of {@link legacyChannelStats}. */
export type LegacyChannelStat = (typeof LEGACY_CHANNEL_STATS)[number];

/** A row-major N × cols matrix (the seed's 2-D outputs: percentiles N × 5, histogram N × 256). */
export interface LegacyMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/**
 * Output of {@link legacyImageStats}: one entry per requested statistic, aligned with the images.
 * Numeric statistics are Float64Arrays (what {@link legacyLinter} thresholds); `channels`, `depth` and
 * the hashes are plain arrays (Python lists in the seed, skipped by the linter); percentiles and
 * histogram are {@link LegacyMatrix}es.
 */
export type LegacyImageStats = {
  xxhash?: string[];
  pchash?: string[];
  width?: Float64Array;
  height?: Float64Array;
  size?: Float64Array;
  aspect_ratio?: Float64Array;
  channels?: number[];
  depth?: number[];
  mean?: Float64Array;
  std?: Float64Array;
  var?: Float64Array;
  skew?: Float64Array;
  kurtosis?: Float64Array;
  entropy?: Float64Array;
  percentiles?: LegacyMatrix;
  histogram?: LegacyMatrix;
  brightness?: Float64Array;
  blurriness?: Float64Array;
  missing?: Float64Array;
  zero?: Float64Array;
};

/**
 * Output of {@link legacyChannelStats}: for each statistic, one array per channel count C, laid out
 * channel-major — value of channel c of the j-th image with C channels at `[c · N_C + j]` (percentiles:
 * `[(c · N_C + j) · 5 + q]`, histogram: `… · 256 + bin`); `idx_map[C]` lists those images' indices.
 */
export type LegacyChannelStats = { [S in LegacyChannelStat]?: Record<number, Float64Array> } & { idx_map: Record<number, number[]> };

/**
 * The legacy pixel statistics of one image, computed once with the current definitions and mapped
 * to the seed's (scipy's NaN skew/kurtosis for constant data, counts instead of fractions). Negative
 * images reproduce the seed's rescale `(x + min) / (max − min)`.
 */
function legacyDatum(image: ChwImage, perChannel: boolean): { stats: DatumStats; raw: DatumStats | null } {
  const { data } = image;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min < 0)) return { stats: computeStats(image, { perChannel }), raw: null };
  // the seed's sign bug: scaled = (x + min) / (max − min); blurriness stays on the raw values
  const span = max - min;
  const scaled = Float64Array.from(data as ArrayLike<number>, (v) => (v + min) / span);
  return { stats: computeStats({ ...image, data: scaled }, { perChannel, normalize: false }), raw: computeStats(image, { perChannel: false }) };
}

function legacyMoments(p: PixelStats): { skew: number; kurtosis: number } {
  // scipy.stats.skew / kurtosis of constant data: NaN (0/0); assay's current definitions return 0
  const constant = p.var === 0;
  return { skew: constant ? Number.NaN : p.skew, kurtosis: constant ? Number.NaN : p.kurtosis };
}

function checkImages(images: readonly ChwImage[], fn: string): void {
  images.forEach((im, i) => {
    const { channels: C, height: H, width: W } = im;
    if (!(Number.isInteger(C) && C >= 1 && Number.isInteger(H) && H >= 1 && Number.isInteger(W) && W >= 1) || im.data.length !== C * H * W) {
      throw new AssayError("INVALID_INPUT", `${fn}: image ${i} has shape ${C}×${H}×${W} and ${im.data.length} values`, {
        plugin: "@assay/linter",
        details: { index: i },
      });
    }
  });
}

/**
 * DataEval's seed-era `imagestats(images, flags)` (image-stats-linter.md §9): for channels-first
 * images, the requested statistics (default: all of {@link LEGACY_IMAGE_STATS}) with the legacy
 * definitions — aspect_ratio = W/H, brightness = mean of the rescaled image, blurriness = the current
 * sharpness, missing / zero = counts of NaN / zero elements, skew and kurtosis NaN for constant
 * images, xxhash of the raw array bytes, pchash of {@link legacyPchash}. Every statistic comes from
 * one shared per-image computation ({@link computeStats}).
 * @throws AssayError `INVALID_INPUT` when pchash is requested (the default) and an image is smaller
 * than 9×9, as the seed raises; or when an image's shape does not match its data.
 */
export function legacyImageStats(images: readonly ChwImage[], flags: readonly LegacyImageStat[] = LEGACY_IMAGE_STATS): LegacyImageStats {
  for (const f of flags) {
    if (!(LEGACY_IMAGE_STATS as readonly string[]).includes(f)) {
      throw new AssayError("INVALID_OPTION", `imagestats: unknown flag "${f}" (accepted: ${LEGACY_IMAGE_STATS.join(", ")})`, { plugin: "@assay/linter", details: { option: "flags" } });
    }
  }
  checkImages(images, "imagestats");
  const want = new Set<LegacyImageStat>(flags);
  const n = images.length;
  const out: LegacyImageStats = {};
  const col = () => new Float64Array(n);
  const needsPixels = LEGACY_IMAGE_STATS.slice(8).some((s) => want.has(s));
  for (const name of LEGACY_IMAGE_STATS) {
    if (!want.has(name)) continue;
    if (name === "xxhash" || name === "pchash") out[name] = [];
    else if (name === "channels" || name === "depth") out[name] = [];
    else if (name === "percentiles") out.percentiles = { rows: n, cols: 5, data: new Float64Array(n * 5) };
    else if (name === "histogram") out.histogram = { rows: n, cols: 256, data: new Float64Array(n * 256) };
    else out[name] = col();
  }
  images.forEach((image, i) => {
    const { channels: C, height: H, width: W, data } = image;
    const elements = C * H * W;
    if (out.xxhash) out.xxhash.push(xxhash64(ArrayBuffer.isView(data) ? data : Float64Array.from(data)));
    if (out.pchash) out.pchash.push(legacyPchash(image));
    if (out.width) out.width[i] = W;
    if (out.height) out.height[i] = H;
    if (out.size) out.size[i] = W * H;
    if (out.aspect_ratio) out.aspect_ratio[i] = W / H;
    if (out.channels) out.channels.push(C);
    if (out.depth) out.depth.push(bitDepth(data).depth);
    if (!needsPixels) return;
    const { stats: s, raw } = legacyDatum(image, false);
    const { skew, kurtosis } = legacyMoments(s);
    if (out.mean) out.mean[i] = s.mean;
    if (out.std) out.std[i] = s.std;
    if (out.var) out.var[i] = s.var;
    if (out.skew) out.skew[i] = skew;
    if (out.kurtosis) out.kurtosis[i] = kurtosis;
    if (out.entropy) out.entropy[i] = s.entropy;
    out.percentiles?.data.set(s.percentiles, i * 5);
    out.histogram?.data.set(s.histogram, i * 256);
    if (out.brightness) out.brightness[i] = s.mean;
    if (out.blurriness) out.blurriness[i] = (raw ?? s).sharpness;
    if (out.missing) out.missing[i] = Math.round(s.missing * elements);
    if (out.zero) out.zero[i] = Math.round((raw ?? s).zeros * elements);
  });
  return out;
}

/**
 * DataEval's seed-era `channelstats(images, flags)`: the image statistics ({@link LEGACY_CHANNEL_STATS},
 * default all) of every channel, grouped by channel count (see {@link LegacyChannelStats}), from the
 * same shared per-image computation as {@link legacyImageStats}. Constant channels get NaN skew and
 * kurtosis (scipy).
 */
export function legacyChannelStats(images: readonly ChwImage[], flags: readonly LegacyChannelStat[] = LEGACY_CHANNEL_STATS): LegacyChannelStats {
  for (const f of flags) {
    if (!(LEGACY_CHANNEL_STATS as readonly string[]).includes(f)) {
      throw new AssayError("INVALID_OPTION", `channelstats: unknown flag "${f}" (accepted: ${LEGACY_CHANNEL_STATS.join(", ")})`, { plugin: "@assay/linter", details: { option: "flags" } });
    }
  }
  checkImages(images, "channelstats");
  const idx: Record<number, number[]> = {};
  images.forEach((im, i) => (idx[im.channels] ??= []).push(i));
  const out: LegacyChannelStats = { idx_map: idx };
  const width = (s: LegacyChannelStat) => (s === "percentiles" ? 5 : s === "histogram" ? 256 : 1);
  for (const s of LEGACY_CHANNEL_STATS) {
    if (!flags.includes(s)) continue;
    out[s] = Object.fromEntries(Object.entries(idx).map(([C, members]) => [C, new Float64Array(Number(C) * members.length * width(s))]));
  }
  for (const [key, members] of Object.entries(idx)) {
    const C = Number(key);
    const N = members.length;
    members.forEach((imageIndex, j) => {
      const per = legacyDatum(images[imageIndex]!, true).stats.perChannel!;
      per.forEach((p, c) => {
        const at = c * N + j;
        const { skew, kurtosis } = legacyMoments(p);
        const values: Record<LegacyChannelStat, number | ArrayLike<number>> = {
          mean: p.mean,
          std: p.std,
          var: p.var,
          skew,
          kurtosis,
          entropy: p.entropy,
          percentiles: p.percentiles,
          histogram: p.histogram,
        };
        for (const s of LEGACY_CHANNEL_STATS) {
          const arr = out[s]?.[C];
          if (!arr) continue;
          const v = values[s];
          if (typeof v === "number") arr[at] = v;
          else arr.set(v, at * width(s));
        }
      });
    });
  }
  return out;
}

/** Outlier methods of DataEval's seed-era `Linter`. */
export type LegacyMethod = "zscore" | "modzscore" | "iqr";

const LEGACY_DEFAULT: Record<LegacyMethod, number> = { zscore: 3, modzscore: 3.5, iqr: 1.5 };

/**
 * DataEval's seed-era `Linter` (image-stats-linter.md §9): for every statistic given as a typed array
 * whose population std is not 0 (plain JS arrays stand for Python lists and are skipped), flag values by
 * `zscore` (|x − mean|/std > t), `modzscore` (0.6745·|x − med|/MAD > t, MAD 0 → 1, the default method)
 * or `iqr` (outside midpoint Q1 − t·IQR … Q3 + t·IQR). A falsy threshold (absent or 0) uses the
 * method's default. Output: `{ index: { stat: value rounded to 2 decimals } }`, indices ascending,
 * stats in input order.
 */
export function legacyLinter(
  stats: object,
  options: { method?: LegacyMethod; threshold?: number } = {},
): Record<number, Record<string, number>> {
  const method = options.method ?? "modzscore";
  if (!(method in LEGACY_DEFAULT)) {
    throw new AssayError("INVALID_OPTION", "Outlier method must be 'zscore' 'modzscore' or 'iqr'.", { plugin: "@assay/linter", details: { option: "method" } });
  }
  const t = options.threshold || LEGACY_DEFAULT[method];
  const out: Record<number, Record<string, number>> = {};
  for (const [name, values] of Object.entries(stats) as [string, unknown][]) {
    if (!ArrayBuffer.isView(values) || values instanceof DataView) continue;
    const x = Float64Array.from(values as unknown as ArrayLike<number>);
    if (x.length === 0 || std(x) === 0) continue;
    let flag: (v: number) => boolean;
    if (method === "zscore") {
      const m = mean(x);
      const s = std(x);
      flag = (v) => Math.abs(v - m) / s > t;
    } else if (method === "modzscore") {
      const med = median(x);
      let mad = median(x.map((v) => Math.abs(v - med)));
      if (mad === 0) mad = 1;
      flag = (v) => (0.6745 * Math.abs(v - med)) / mad > t;
    } else {
      const q1 = quantile(x, 0.25, "midpoint");
      const q3 = quantile(x, 0.75, "midpoint");
      const iqr = q3 - q1;
      flag = (v) => v < q1 - t * iqr || v > q3 + t * iqr;
    }
    x.forEach((v, i) => {
      if (flag(v)) (out[i] ??= {})[name] = Math.round(v * 100) / 100;
    });
  }
  return out;
}
