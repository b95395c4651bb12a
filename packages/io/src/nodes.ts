import { AssayError, artifacts, defineArtifact, defineDetector, defineExtractor, type FindingInput, type Float32Matrix, requiresImages, z } from "@assay/core";
import { PLUGIN } from "./errors.js";
import { colourStats } from "./image.js";
import { type ImageFailure, mapImages } from "./map-images.js";
import { matrixStorage } from "./npy.js";
import { resizeGray } from "./preprocess.js";

/** What {@link imageScan} records for every row: the decoded size and format, or why decoding failed. */
export interface ImageScan {
  /** Decoded width per row (0 where the image failed). */
  width: Int32Array;
  /** Decoded height per row (0 where the image failed). */
  height: Int32Array;
  /** Channels per row, 1–4 (0 where the image failed). */
  channels: Uint8Array;
  /** Bits per channel per row, 8 or 16 (0 where the image failed). */
  bitDepth: Uint8Array;
  /** Rows whose image could not be decoded, ascending, with the reason. */
  failures: ImageFailure[];
}

declare module "@assay/core" {
  interface ArtifactMap {
    /** Per-row image size/format and decode failures, from `@assay/io`'s `imageScan`. */
    "images.scan": ImageScan;
  }
}

/** The artifact key of {@link ImageScan}. */
export const imagesScan = defineArtifact("images.scan");

/**
 * Extractor `image-scan`: decodes every image once (bounded concurrency, streaming) and records its
 * width, height, channels and bit depth, or the reason it could not be decoded. Provides `images.scan`.
 * A dataset without images gives an empty scan (all zeros, no failures) and the warning
 * `dataset has no images`, so `unreadable-images` then reports nothing.
 */
export const imageScan = defineExtractor({
  name: "image-scan",
  readsLabels: false,
  version: "1",
  plugin: PLUGIN,
  description: "Decode every image once; record its size, channels and bit depth, or why it cannot be read",
  options: z.object({}),
  needs: [],
  provides: imagesScan,
  async run(ctx) {
    const n = ctx.dataset.size;
    const scan: ImageScan = {
      width: new Int32Array(n),
      height: new Int32Array(n),
      channels: new Uint8Array(n),
      bitDepth: new Uint8Array(n),
      failures: [],
    };
    if (!ctx.dataset.hasImages) {
      ctx.warn("dataset has no images");
      return scan;
    }
    const { failures } = await mapImages(
      ctx.dataset,
      (img, i) => {
        scan.width[i] = img.width;
        scan.height[i] = img.height;
        scan.channels[i] = img.channels;
        scan.bitDepth[i] = img.bitDepth;
      },
      { concurrency: ctx.concurrency, signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t) },
    );
    scan.failures = failures;
    return scan;
  },
});

/**
 * Detector `unreadable-images`: one `unreadable_image` finding (severity `error`) per row whose image
 * cannot be decoded — empty, truncated, not an image, missing, or over the pixel limit — with the
 * reason in `data.reason`. Result: the failures; summary: `unreadable` and `checked` counts.
 */
export const unreadableImages = defineDetector({
  name: "unreadable-images",
  version: "1",
  plugin: PLUGIN,
  description: "Report images that cannot be decoded (corrupt, truncated, empty, missing, too many pixels)",
  options: z.object({}),
  needs: [imagesScan],
  async run(ctx, inputs) {
    const scan = inputs["images.scan"];
    const findings: FindingInput[] = scan.failures.map((f) => {
      const source = ctx.dataset.sample(f.index).source;
      return {
        type: "unreadable_image",
        indices: [f.index],
        severity: "error" as const,
        message: `${ctx.dataset.ids[f.index]} cannot be decoded: ${f.reason}`,
        data: { reason: f.reason, ...(source === undefined ? {} : { source }) },
      };
    });
    return {
      result: { failures: scan.failures },
      findings,
      summary: { unreadable: scan.failures.length, checked: ctx.dataset.size },
    };
  },
});

/** Length of a {@link pixelEmbedding} row for the given options. */
export function pixelEmbeddingDims(size: number, color: boolean): number {
  return size * size + (color ? 6 : 0);
}

/**
 * Extractor `pixel-embedding`: a model-free embedding so every embedding-based lens works out of the
 * box. Each row is the image's `size × size` grayscale thumbnail (area filter, values in [0, 1],
 * row-major) followed, when `color` is on, by the mean and standard deviation of R, G and B over the
 * whole image (`[meanR, meanG, meanB, stdR, stdG, stdB]`, in [0, 1]). All features share the [0, 1]
 * scale, so plain L2 distances are meaningful. Deterministic.
 *
 * Rows whose image cannot be decoded get the column means of the decodable rows (so they sit at the
 * centre and do not become artificial outliers or duplicates of each other), and a warning lists
 * them; the `unreadable-images` detector reports them as findings. If no image decodes, it fails.
 */
export const pixelEmbedding = defineExtractor({
  name: "pixel-embedding",
  readsLabels: false,
  version: "1",
  plugin: PLUGIN,
  description: "Model-free embedding: a size×size grayscale thumbnail plus per-channel colour mean and std",
  options: z.object({
    /** Thumbnail side in pixels (default 16). */
    size: z.number().int().min(1).max(128).default(16).describe("Thumbnail side in pixels"),
    /** Append RGB mean and std (default true). */
    color: z.boolean().default(true).describe("Append the mean and std of R, G and B"),
  }),
  needs: [],
  provides: artifacts.embeddings,
  appliesTo: requiresImages,
  async run(ctx, _inputs, options): Promise<Float32Matrix> {
    const { size, color } = options;
    const n = ctx.dataset.size;
    const cols = pixelEmbeddingDims(size, color);
    const data = matrixStorage(n * cols);
    const { failures } = await mapImages(
      ctx.dataset,
      (img, i) => {
        const row = data.subarray(i * cols, (i + 1) * cols);
        row.set(resizeGray(img, size, size));
        if (color) row.set(colourStats(img), size * size);
      },
      { concurrency: ctx.concurrency, signal: ctx.signal, onProgress: (d, t) => ctx.progress(d, t) },
    );
    if (failures.length > 0) {
      if (failures.length === n) {
        throw new AssayError("INVALID_INPUT", `none of the ${n} images could be decoded (first: ${failures[0]!.reason})`, {
          plugin: PLUGIN,
          node: "pixel-embedding",
          details: { failures: failures.slice(0, 10) },
        });
      }
      fillFailedRows(data, cols, n, failures);
      const shown = failures.slice(0, 5).map((f) => ctx.dataset.ids[f.index]);
      ctx.warn(
        `${failures.length} image${failures.length === 1 ? "" : "s"} could not be decoded (${shown.join(", ")}${failures.length > 5 ? ", …" : ""}); their embedding rows hold the column means`,
      );
    }
    return { rows: n, cols, data };
  },
});

function fillFailedRows(data: Float32Array, cols: number, n: number, failures: readonly ImageFailure[]): void {
  const failed = new Uint8Array(n);
  for (const f of failures) failed[f.index] = 1;
  const sum = new Float64Array(cols);
  let good = 0;
  for (let i = 0; i < n; i++) {
    if (failed[i]) continue;
    good++;
    for (let c = 0; c < cols; c++) sum[c]! += data[i * cols + c]!;
  }
  const mean = Float32Array.from(sum, (s) => s / good);
  for (const f of failures) data.set(mean, f.index * cols);
}

/**
 * Detector `invalid-boxes`: for detection datasets, a `box_out_of_bounds` finding (warning) for
 * every box that extends past its image (by more than `tolerance` pixels), and a `degenerate_box`
 * finding (error) for boxes with zero or negative width or height. The image size comes from the
 * row's `meta.width`/`meta.height` (COCO and VOC provide them); rows without a size are checked for
 * degenerate boxes only.
 */
export const invalidBoxes = defineDetector({
  name: "invalid-boxes",
  version: "1",
  plugin: PLUGIN,
  description: "Report detection boxes outside their image or with no area",
  options: z.object({
    /** Pixels a box may stick out before it is reported (default 0.5, for rounding). */
    tolerance: z.number().min(0).default(0.5).describe("Pixels a box may stick out before it is reported"),
  }),
  needs: [],
  async run(ctx, _inputs, options) {
    const findings: FindingInput[] = [];
    let boxes = 0;
    for (let i = 0; i < ctx.dataset.size; i++) {
      const sample = ctx.dataset.sample(i);
      if (!sample.boxes) continue;
      const w = Number(sample.meta.width);
      const h = Number(sample.meta.height);
      const known = Number.isFinite(w) && Number.isFinite(h) && w > 0 && h > 0;
      sample.boxes.forEach((b, k) => {
        boxes++;
        const box = { x: b.x, y: b.y, width: b.width, height: b.height, label: ctx.dataset.classes[b.label] ?? b.label, ...(b.id === undefined ? {} : { id: b.id }) };
        if (!(b.width > 0) || !(b.height > 0)) {
          findings.push({
            type: "degenerate_box",
            indices: [i],
            severity: "error",
            message: `${sample.id}: box ${k} has no area (${b.width}×${b.height})`,
            data: { box, boxIndex: k },
          });
          return;
        }
        if (!known) return;
        const t = options.tolerance;
        const overflow = Math.max(0, -b.x, -b.y, b.x + b.width - w, b.y + b.height - h);
        if (overflow > t) {
          findings.push({
            type: "box_out_of_bounds",
            indices: [i],
            score: overflow,
            severity: "warning",
            message: `${sample.id}: box ${k} [${b.x}, ${b.y}, ${b.width}, ${b.height}] extends ${overflow} px outside the ${w}×${h} image`,
            data: { box, boxIndex: k, image: { width: w, height: h }, overflow },
          });
        }
      });
    }
    return {
      result: { boxes, flagged: findings.length },
      findings,
      summary: { boxes, out_of_bounds: findings.filter((f) => f.type === "box_out_of_bounds").length, degenerate: findings.filter((f) => f.type === "degenerate_box").length },
    };
  },
});
