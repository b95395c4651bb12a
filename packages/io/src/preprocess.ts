import { AssayError, type RasterImage } from "@assay/core";

/**
 * How images become model input. Pure data: the same spec drives every backend, so a model gives the
 * same numbers on ONNX Runtime, TensorFlow.js or a test double.
 *
 * Each value is `((pixel / pixelScale) - mean[c]) / std[c]`, after resizing to `width`×`height` and
 * converting to the model's colour space.
 */
export interface PreprocessSpec {
  /** Model input width in pixels. */
  width: number;
  /** Model input height in pixels. */
  height: number;
  /** Model input channels: 1 (grayscale) or 3 (colour). */
  channels: 1 | 3;
  /** Colour order the model expects: `gray` for 1 channel, `rgb` or `bgr` for 3. */
  channelOrder: "gray" | "rgb" | "bgr";
  /** Tensor layout: `NCHW` (PyTorch/ONNX convention) or `NHWC` (TensorFlow convention). */
  layout: "NCHW" | "NHWC";
  /** Per-channel mean subtracted after scaling (one value is broadcast). Default `[0]`. */
  mean: readonly number[];
  /** Per-channel standard deviation divided by after scaling (one value is broadcast). Default `[1]`. */
  std: readonly number[];
  /** Pixel values (8-bit scale) are divided by this first. Default 255; use 1 to keep 0…255. */
  pixelScale: number;
  /** Resampling filter: `bilinear` (half-pixel centres, like PIL/OpenCV without antialias), `area` (box average, best for shrinking), or `nearest`. */
  resize: "bilinear" | "area" | "nearest";
}

/** Defaults applied to every field a user, the model metadata or the sidecar JSON leaves out. */
export const preprocessDefaults = {
  mean: [0],
  std: [1],
  pixelScale: 255,
  resize: "bilinear",
  layout: "NCHW",
} as const satisfies Partial<PreprocessSpec>;

/** Number of float32 values one preprocessed image occupies. */
export function sampleLength(spec: PreprocessSpec): number {
  return spec.width * spec.height * spec.channels;
}

/** The tensor dims of a batch of `n` preprocessed images under `spec.layout`. */
export function batchDims(spec: PreprocessSpec, n: number): number[] {
  return spec.layout === "NCHW" ? [n, spec.channels, spec.height, spec.width] : [n, spec.height, spec.width, spec.channels];
}

/**
 * Check a spec and fill its defaults. Throws `INVALID_OPTION` naming the field when a value is out of
 * range (non-positive size, wrong channel order for the channel count, zero std, mean/std length).
 */
export function validatePreprocess(spec: PreprocessSpec): PreprocessSpec {
  const bad = (field: string, why: string) =>
    new AssayError("INVALID_OPTION", `preprocess.${field} ${why}`, { stage: "preprocess", details: { field } });
  for (const field of ["width", "height"] as const) {
    if (!Number.isInteger(spec[field]) || spec[field] <= 0) throw bad(field, `must be a positive integer, got ${spec[field]}`);
  }
  if (spec.channels !== 1 && spec.channels !== 3) throw bad("channels", `must be 1 or 3, got ${spec.channels}`);
  if ((spec.channels === 1) !== (spec.channelOrder === "gray")) {
    throw bad("channelOrder", `"${spec.channelOrder}" does not fit ${spec.channels} channel(s); use "gray" for 1 and "rgb"/"bgr" for 3`);
  }
  for (const field of ["mean", "std"] as const) {
    const v = spec[field];
    if (v.length !== 1 && v.length !== spec.channels) throw bad(field, `needs 1 or ${spec.channels} values, got ${v.length}`);
    if (v.some((x) => !Number.isFinite(x))) throw bad(field, `has a non-finite value: [${v.join(", ")}]`);
  }
  if (spec.std.some((x) => x === 0)) throw bad("std", "must not contain 0");
  if (!(spec.pixelScale > 0)) throw bad("pixelScale", `must be > 0, got ${spec.pixelScale}`);
  return spec;
}

/**
 * Preprocess one decoded image into `out` starting at `offset` (length {@link sampleLength}). Handles
 * 1–4 channel 8- or 16-bit images: alpha is dropped, gray↔colour converted (ITU-R BT.601 luma
 * 0.299 R + 0.587 G + 0.114 B), 16-bit values brought to the 8-bit scale.
 */
export function preprocessInto(image: RasterImage, spec: PreprocessSpec, out: Float32Array, offset = 0): void {
  const { width: sw, height: sh } = image;
  if (!(sw > 0 && sh > 0) || image.data.length < sw * sh * image.channels) {
    throw new AssayError("INVALID_INPUT", `image of ${sw}×${sh}×${image.channels} has ${image.data.length} values`, { stage: "preprocess" });
  }
  const planes = toPlanes(image, spec.channels);
  const { width: dw, height: dh, channels } = spec;
  const resized = sw === dw && sh === dh ? planes : resizePlanes(planes, channels, sw, sh, dw, dh, spec.resize);
  const hw = dw * dh;
  for (let c = 0; c < channels; c++) {
    // Source plane for output channel c: planes are RGB (or gray); BGR reverses.
    const src = spec.channelOrder === "bgr" ? 2 - c : c;
    const mean = spec.mean.length === 1 ? spec.mean[0]! : spec.mean[c]!;
    const std = spec.std.length === 1 ? spec.std[0]! : spec.std[c]!;
    const scale = 1 / (spec.pixelScale * std);
    const shift = mean / std;
    const base = src * hw;
    if (spec.layout === "NCHW") {
      const o = offset + c * hw;
      for (let i = 0; i < hw; i++) out[o + i] = resized[base + i]! * scale - shift;
    } else {
      for (let i = 0; i < hw; i++) out[offset + i * channels + c] = resized[base + i]! * scale - shift;
    }
  }
}

/**
 * A `width × height` grayscale version of `image` as floats in [0, 1] (8-bit values / 255, 16-bit /
 * 65535), row-major. `filter` as {@link PreprocessSpec.resize}; the default `area` makes each output
 * pixel the coverage-weighted mean of the source pixels under it when shrinking (bilinear when
 * enlarging). Colour is converted with BT.601 luma (0.299 R + 0.587 G + 0.114 B); alpha is ignored.
 * A non-positive or fractional size is `INVALID_OPTION`.
 */
export function resizeGray(image: RasterImage, width: number, height: number, filter: PreprocessSpec["resize"] = "area"): Float32Array {
  return resizeToUnit(image, width, height, 1, filter);
}

/**
 * A `width × height` RGB version of `image`, interleaved (`out[(y * width + x) * 3 + c]`), floats in
 * [0, 1], resampled as {@link resizeGray}. Grayscale input is repeated into the three channels;
 * alpha is ignored.
 */
export function resizeRgb(image: RasterImage, width: number, height: number, filter: PreprocessSpec["resize"] = "area"): Float32Array {
  return resizeToUnit(image, width, height, 3, filter);
}

function resizeToUnit(image: RasterImage, width: number, height: number, channels: 1 | 3, filter: PreprocessSpec["resize"]): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AssayError("INVALID_OPTION", `resize target ${width}×${height} must be positive integers`, { stage: "resize", details: { width, height } });
  }
  const spec: PreprocessSpec = { width, height, channels, channelOrder: channels === 1 ? "gray" : "rgb", layout: "NHWC", mean: [0], std: [1], pixelScale: 255, resize: filter };
  const out = new Float32Array(width * height * channels);
  preprocessInto(image, spec, out);
  return out;
}

/** Image → planar float32 (`channels` planes of width×height) on the 0…255 scale. */
function toPlanes(image: RasterImage, channels: 1 | 3): Float32Array {
  const { width, height, data } = image;
  const ic = image.channels;
  const n = width * height;
  const k = image.bitDepth === 16 ? 255 / 65535 : 1;
  const out = new Float32Array(n * channels);
  const colour = ic >= 3;
  for (let i = 0; i < n; i++) {
    const p = i * ic;
    if (channels === 1) {
      out[i] = colour ? (0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!) * k : data[p]! * k;
    } else if (colour) {
      out[i] = data[p]! * k;
      out[n + i] = data[p + 1]! * k;
      out[2 * n + i] = data[p + 2]! * k;
    } else {
      const v = data[p]! * k;
      out[i] = v;
      out[n + i] = v;
      out[2 * n + i] = v;
    }
  }
  return out;
}

/** Sparse 1-D resampling weights: output i reads `count[i]` taps starting at source `start[i]`. */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  /** Weights, `maxTaps` per output position. */
  weight: Float32Array;
  maxTaps: number;
}

/** Resampling weights from `src` to `dst` samples along one axis. */
export function resampleTaps(src: number, dst: number, filter: PreprocessSpec["resize"]): Taps {
  const scale = src / dst;
  if (filter === "area" && scale > 1) {
    // Box filter: output i covers source [i*scale, (i+1)*scale); each source cell weighs by its overlap.
    const maxTaps = Math.ceil(scale) + 1;
    const start = new Int32Array(dst);
    const count = new Int32Array(dst);
    const weight = new Float32Array(dst * maxTaps);
    for (let i = 0; i < dst; i++) {
      const lo = i * scale;
      const hi = Math.min(src, (i + 1) * scale);
      const first = Math.floor(lo);
      let taps = 0;
      for (let s = first; s < hi && taps < maxTaps; s++, taps++) {
        weight[i * maxTaps + taps] = (Math.min(hi, s + 1) - Math.max(lo, s)) / scale;
      }
      start[i] = first;
      count[i] = taps;
    }
    return { start, count, weight, maxTaps };
  }
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const weight = new Float32Array(dst * 2);
  for (let i = 0; i < dst; i++) {
    if (filter === "nearest") {
      start[i] = Math.min(src - 1, Math.floor((i + 0.5) * scale));
      count[i] = 1;
      weight[i * 2] = 1;
      continue;
    }
    // Bilinear (and area when enlarging): half-pixel centres, edges clamped.
    const x = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), src - 1);
    const x0 = Math.floor(x);
    const f = x - x0;
    start[i] = x0;
    if (x0 + 1 < src && f > 0) {
      count[i] = 2;
      weight[i * 2] = 1 - f;
      weight[i * 2 + 1] = f;
    } else {
      count[i] = 1;
      weight[i * 2] = 1;
    }
  }
  return { start, count, weight, maxTaps: 2 };
}

/** Separable resize of `channels` planar float planes: rows first, then columns. */
function resizePlanes(
  planes: Float32Array,
  channels: number,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  filter: PreprocessSpec["resize"],
): Float32Array {
  const tx = resampleTaps(sw, dw, filter);
  const ty = resampleTaps(sh, dh, filter);
  const tmp = new Float32Array(sh * dw);
  const out = new Float32Array(channels * dw * dh);
  for (let c = 0; c < channels; c++) {
    const plane = c * sw * sh;
    for (let y = 0; y < sh; y++) {
      const row = plane + y * sw;
      for (let x = 0; x < dw; x++) {
        let acc = 0;
        const s = tx.start[x]!;
        for (let t = 0, n = tx.count[x]!; t < n; t++) acc += planes[row + s + t]! * tx.weight[x * tx.maxTaps + t]!;
        tmp[y * dw + x] = acc;
      }
    }
    const dst = c * dw * dh;
    for (let y = 0; y < dh; y++) {
      const s = ty.start[y]!;
      const n = ty.count[y]!;
      for (let x = 0; x < dw; x++) {
        let acc = 0;
        for (let t = 0; t < n; t++) acc += tmp[(s + t) * dw + x]! * ty.weight[y * ty.maxTaps + t]!;
        out[dst + y * dw + x] = acc;
      }
    }
  }
  return out;
}

/** One batch of preprocessed images ready for a backend. */
export interface ImageBatch {
  /** Dataset row indices in this batch, in order. */
  indices: Int32Array;
  /** Batch tensor data, `indices.length` × {@link sampleLength} floats. */
  data: Float32Array;
  dims: number[];
  /** Rows (positions in `indices`) whose image could not be read, with the reason; they hold a blank (all-zero pixel) image. */
  failures: { index: number; reason: string }[];
}

/** Options of {@link imageBatches}. */
export interface BatchOptions {
  /** Images per batch. */
  batchSize: number;
  /** Upper bound on one batch tensor in bytes; shrinks `batchSize` for large inputs. Default 256 MiB. */
  maxBatchBytes?: number;
  /** Images decoded at once. Default 4. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** The batch size actually used: `batchSize`, capped so one batch tensor stays under `maxBatchBytes`. */
export function effectiveBatchSize(spec: PreprocessSpec, options: Pick<BatchOptions, "batchSize" | "maxBatchBytes">): number {
  const perImage = sampleLength(spec) * 4;
  const cap = Math.max(1, Math.floor((options.maxBatchBytes ?? 256 * 2 ** 20) / perImage));
  return Math.max(1, Math.min(Math.floor(options.batchSize), cap));
}

/**
 * Stream preprocessed batches of `count` images read by `read(i)` (i = 0…count−1). Only one batch
 * (plus `concurrency` decodes) is in memory at a time. An image that fails to decode becomes a
 * blank image and is listed in the batch's `failures` instead of aborting the stream.
 */
export async function* imageBatches(
  count: number,
  read: (index: number) => Promise<RasterImage>,
  spec: PreprocessSpec,
  options: BatchOptions,
): AsyncGenerator<ImageBatch> {
  const size = effectiveBatchSize(spec, options);
  const per = sampleLength(spec);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  for (let begin = 0; begin < count; begin += size) {
    if (options.signal?.aborted) throw new AssayError("CANCELLED", "image batching was cancelled", { stage: "preprocess" });
    const n = Math.min(size, count - begin);
    const data = new Float32Array(n * per);
    const indices = new Int32Array(n);
    const failures: ImageBatch["failures"] = [];
    let next = 0;
    const worker = async () => {
      for (let j = next++; j < n; j = next++) {
        const index = begin + j;
        indices[j] = index;
        try {
          preprocessInto(await read(index), spec, data, j * per);
        } catch (error) {
          if (error instanceof AssayError && error.code === "CANCELLED") throw error;
          failures.push({ index, reason: error instanceof Error ? error.message : String(error) });
          preprocessInto(blankImage, spec, data, j * per);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
    failures.sort((a, b) => a.index - b.index);
    yield { indices, data, dims: batchDims(spec, n), failures };
  }
}

const blankImage: RasterImage = { width: 1, height: 1, channels: 1, bitDepth: 8, data: new Uint8Array(1) };
