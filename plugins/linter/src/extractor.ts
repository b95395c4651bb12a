import { AssayError, type Box, type Dataset, defineExtractor, type NodeContext, type RasterImage, requiresImages, z } from "@assay/core";
import { CHANNEL_STAT_NAMES, type ChannelStatName, type ImageStats, imageStatsArtifact, STAT_NAMES, type StatName } from "./artifact.js";
import { canonicalGray, canonicalGrayRaster, exactHashRaster, lanczosCoefficients, perceptualHashes, phashSize, xxhash64 } from "./hashes.js";
import { availableParallelism } from "node:os";
import { cropWindow, rasterSource, regionToFloat64, type XyxyBox } from "./image.js";
import { StatsPool, statsWorkerUrl } from "./pool.js";
import { type DatumStats, scanRgb8, statsOfRaster, statsOfRegion } from "./stats.js";

const PLUGIN = "@assay/linter";

/** Options of {@link imageStats}. */
export const imageStatsOptions = z.object({
  /** Also compute pixel/visual stats per channel. */
  perChannel: z.boolean().default(false),
  /** Compute a row per box on detection datasets. */
  perBox: z.boolean().default(true),
  /** Rescale pixels by the inferred bit depth before pixel/visual stats (DataEval's default). */
  normalize: z.boolean().default(true),
  /** `basic`: xxhash + pHash + dHash; `all`: also the rotation/flip-invariant D4 variants; `none`: xxhash only. */
  hashes: z.enum(["none", "basic", "all"]).default("basic"),
  /** Keep the 256-bin histogram of every row (256 floats per row). */
  histogram: z.boolean().default(false),
  /** Also hash each image's encoded file bytes when the dataset can give them. */
  fileHash: z.boolean().default(true),
  /**
   * Worker threads for the per-image computation. Default: none below 256 images, else one per core
   * beyond the first (at most `ctx.concurrency`). `0` keeps everything on the main thread.
   */
  workers: z.number().int().min(0).max(64).optional(),
});

/** Options after defaults. */
export type ImageStatsOptions = z.output<typeof imageStatsOptions>;

/** One analysed row (image or box). @internal */
export interface RowResult {
  stats: DatumStats;
  xxhash: string;
  phash: string;
  dhash: string;
  phash_d4: string;
  dhash_d4: string;
  shape: [number, number, number];
}

/** Convert a dataset box (top-left + size) to xyxy, swapping reversed corners. */
export function boxToXyxy(box: Pick<Box, "x" | "y" | "width" | "height">): XyxyBox {
  const xa = box.x;
  const xb = box.x + box.width;
  const ya = box.y;
  const yb = box.y + box.height;
  return { x0: Math.min(xa, xb), y0: Math.min(ya, yb), x1: Math.max(xa, xb), y1: Math.max(ya, yb) };
}

/**
 * Every statistic and hash of one decoded image and its boxes — the work `imageStats()` does per
 * image, in one pass over the decoded pixels. Row 0 is the full image, then one row per box.
 */
export function analyseImage(
  image: RasterImage,
  boxes: readonly XyxyBox[],
  options: Pick<ImageStatsOptions, "normalize" | "perChannel" | "hashes">,
): RowResult[] {
  const src = rasterSource(image);
  const hashOptions = { d4: options.hashes === "all" };
  // output widths of the perceptual hashes' horizontal Lanczos passes, which the RGB scan runs on its gray rows
  const n = phashSize(Math.min(image.width, image.height));
  const widths = options.hashes !== "none" && n > 0 ? [n, 9].filter((w) => w !== image.width) : [];
  // the full image: read in place (integer histograms, no float copy); boxes: NaN-padded float crops
  const scan =
    image.channels === 3 && image.data instanceof Uint8Array
      ? scanRgb8(image.data, image.width, image.height, true, widths.map((w) => lanczosCoefficients(image.width, w)))
      : undefined;
  const full = statsOfRaster(src, undefined, options.normalize, options.perChannel, scan);
  const depth = full.depth;
  const first: RowResult = {
    stats: full,
    xxhash: exactHashRaster(image, scan?.planes),
    phash: "",
    dhash: "",
    phash_d4: "",
    dhash_d4: "",
    shape: [image.channels, image.height, image.width],
  };
  if (options.hashes !== "none") {
    const fromScan = scan !== undefined && depth > 1;
    const gray = fromScan ? { width: image.width, height: image.height, data: scan.gray } : canonicalGrayRaster(image, depth);
    const rows = fromScan ? scan.rows : undefined;
    const h = perceptualHashes(gray, hashOptions, rows && new Map(widths.map((w, i) => [w, rows[i]!])));
    first.phash = h.phash;
    first.dhash = h.dhash;
    first.phash_d4 = h.phash_d4 ?? "";
    first.dhash_d4 = h.dhash_d4 ?? "";
  }
  return [first, ...boxes.map((box) => {
    const win = cropWindow(box);
    const region = regionToFloat64(src, win);
    const stats = statsOfRegion(src, box, win, region, depth, options.normalize, options.perChannel);
    const row: RowResult = {
      stats,
      xxhash: xxhash64(region),
      phash: "",
      dhash: "",
      phash_d4: "",
      dhash_d4: "",
      shape: [image.channels, win.height, win.width],
    };
    if (options.hashes !== "none") {
      const gray = canonicalGray({ channels: image.channels, height: win.height, width: win.width, data: region });
      const h = perceptualHashes(gray, hashOptions);
      row.phash = h.phash;
      row.dhash = h.dhash;
      row.phash_d4 = h.phash_d4 ?? "";
      row.dhash_d4 = h.dhash_d4 ?? "";
    }
    return row;
  })];
}

function classOfImage(dataset: Dataset, index: number, boxes: readonly Box[] | undefined): number {
  if (dataset.task === "classification") return dataset.labels[index]!;
  if (dataset.task === "detection" && boxes && boxes.length > 0) {
    const first = boxes[0]!.label;
    return boxes.every((b) => b.label === first) ? first : -1;
  }
  return -1;
}

/** Compute the `images.stats` artifact for a dataset (the body of the extractor). */
export async function computeImageStats(ctx: Pick<NodeContext, "dataset" | "signal" | "concurrency" | "progress" | "warn">, options: ImageStatsOptions): Promise<ImageStats> {
  const { dataset } = ctx;
  if (!dataset.hasImages) {
    throw new AssayError("INVALID_INPUT", `dataset "${dataset.name}" has no images to compute statistics of`, { plugin: PLUGIN, node: "image-stats" });
  }
  const n = dataset.size;
  const boxesOf: (readonly Box[])[] = [];
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const boxes = options.perBox && dataset.task === "detection" ? (dataset.sample(i).boxes ?? []) : [];
    boxesOf.push(boxes);
    offsets[i + 1] = offsets[i]! + 1 + boxes.length;
  }
  const rows = offsets[n]!;
  const item = new Int32Array(rows);
  const target = new Int32Array(rows);
  const classId = new Int32Array(rows);
  for (let i = 0; i < n; i++) {
    const start = offsets[i]!;
    const sampleBoxes = boxesOf[i]!;
    item[start] = i;
    target[start] = -1;
    classId[start] = classOfImage(dataset, i, dataset.task === "detection" ? (dataset.sample(i).boxes ?? []) : undefined);
    sampleBoxes.forEach((b, t) => {
      item[start + 1 + t] = i;
      target[start + 1 + t] = t;
      classId[start + 1 + t] = b.label;
    });
  }
  const stats = Object.fromEntries(STAT_NAMES.map((s) => [s, new Float32Array(rows).fill(Number.NaN)])) as Record<StatName, Float32Array>;
  const valid = new Uint8Array(rows);
  const invalidBox = new Uint8Array(rows);
  const center = new Float32Array(rows * 2).fill(Number.NaN);
  const percentiles = new Float32Array(rows * 5).fill(Number.NaN);
  const histogram = options.histogram ? new Float32Array(rows * 256) : null;
  const wantD4 = options.hashes === "all";
  const wantPerceptual = options.hashes !== "none";
  const xx = new Array<string>(rows).fill("");
  const ph = wantPerceptual ? new Array<string>(rows).fill("") : null;
  const dh = wantPerceptual ? new Array<string>(rows).fill("") : null;
  const ph4 = wantD4 ? new Array<string>(rows).fill("") : null;
  const dh4 = wantD4 ? new Array<string>(rows).fill("") : null;
  const shape = new Int32Array(rows * 3);
  const fileHash = options.fileHash && dataset.imageBytes ? new Array<string>(n).fill("") : null;
  const unreadable: { index: number; reason: string }[] = [];
  const channelRows: { row: number; channel: number; stats: DatumStats["perChannel"] }[] = [];
  const perChannelByRow: (DatumStats["perChannel"] | undefined)[] = new Array(rows);

  const store = (i: number, results: RowResult[]) => {
    results.forEach((r, k) => {
      const row = offsets[i]! + k;
      valid[row] = 1;
      for (const s of STAT_NAMES) stats[s][row] = r.stats[s];
      invalidBox[row] = r.stats.invalid_box ? 1 : 0;
      center[row * 2] = r.stats.center[0];
      center[row * 2 + 1] = r.stats.center[1];
      percentiles.set(r.stats.percentiles, row * 5);
      histogram?.set(r.stats.histogram, row * 256);
      xx[row] = r.xxhash;
      if (ph) ph[row] = r.phash;
      if (dh) dh[row] = r.dhash;
      if (ph4) ph4[row] = r.phash_d4;
      if (dh4) dh4[row] = r.dhash_d4;
      shape.set(r.shape, row * 3);
      if (r.stats.perChannel) perChannelByRow[row] = r.stats.perChannel;
    });
  };

  let next = 0;
  let done = 0;
  const workerUrl = statsWorkerUrl();
  const workerCount =
    workerUrl === undefined ? 0 : (options.workers ?? (n >= 256 ? Math.min(Math.max(0, availableParallelism() - 1), Math.max(1, ctx.concurrency)) : 0));
  const pool = workerCount > 0 ? new StatsPool(workerCount, workerUrl!) : undefined;
  const analyse = async (image: RasterImage, boxes: XyxyBox[]): Promise<RowResult[]> =>
    pool && !pool.failed ? ((await pool.run(image, boxes, options)) as RowResult[]) : analyseImage(image, boxes, options);
  // with workers keep twice as many decodes in flight as workers so none idles
  const concurrency = Math.max(1, Math.min(pool ? 2 * workerCount : ctx.concurrency || 1, 64));
  const worker = async () => {
    while (next < n) {
      if (ctx.signal.aborted) throw new AssayError("CANCELLED", "image statistics were cancelled", { plugin: PLUGIN, node: "image-stats" });
      const i = next++;
      try {
        const image = await dataset.image(i, { signal: ctx.signal });
        checkRaster(image, i);
        store(i, await analyse(image, boxesOf[i]!.map(boxToXyxy)));
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        unreadable.push({ index: i, reason });
      }
      if (fileHash) {
        // file bytes are hashed even when decoding failed: identical broken files are duplicates too
        try {
          fileHash[i] = xxhash64(await dataset.imageBytes!(i));
        } catch {
          fileHash[i] = "";
        }
      }
      ctx.progress(++done, n);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, n)) }, worker));
  } finally {
    await pool?.close();
  }
  unreadable.sort((a, b) => a.index - b.index);
  if (unreadable.length > 0) ctx.warn(`${unreadable.length} of ${n} images could not be read (first: row ${unreadable[0]!.index}: ${unreadable[0]!.reason})`);

  let channels: ImageStats["channels"] = null;
  if (options.perChannel) {
    for (let row = 0; row < rows; row++) {
      const pc = perChannelByRow[row];
      if (pc) channelRows.push({ row, channel: 0, stats: pc });
    }
    const total = channelRows.reduce((a, r) => a + r.stats!.length, 0);
    const cs = Object.fromEntries(CHANNEL_STAT_NAMES.map((s) => [s, new Float32Array(total)])) as Record<ChannelStatName, Float32Array>;
    const crow = new Int32Array(total);
    const cch = new Int32Array(total);
    const cp = new Float32Array(total * 5);
    let o = 0;
    for (const r of channelRows) {
      r.stats!.forEach((p, c) => {
        crow[o] = r.row;
        cch[o] = c;
        for (const s of CHANNEL_STAT_NAMES) cs[s][o] = p[s];
        cp.set(p.percentiles, o * 5);
        o++;
      });
    }
    channels = { row: crow, channel: cch, stats: cs, percentiles: cp };
  }
  return {
    images: n,
    rows,
    item,
    target,
    classId,
    valid,
    stats,
    invalidBox,
    center,
    percentiles,
    histogram,
    channels,
    hashes: { xxhash: xx, phash: ph, dhash: dh, phash_d4: ph4, dhash_d4: dh4, shape, file: fileHash },
    unreadable,
    options: { normalize: options.normalize, perChannel: options.perChannel, perBox: options.perBox, hashes: options.hashes, workers: workerCount },
  };
}

function checkRaster(image: RasterImage, index: number): void {
  const { width, height, channels, data } = image;
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new AssayError("INVALID_INPUT", `image ${index} has size ${width}×${height}`, { details: { index } });
  }
  if (data.length !== width * height * channels) {
    throw new AssayError("INVALID_INPUT", `image ${index} has ${data.length} values; ${width}×${height}×${channels} needs ${width * height * channels}`, {
      details: { index },
    });
  }
}

/**
 * Extractor providing `images.stats`: decodes every image once (bounded by `ctx.concurrency`) and
 * computes all dimension, pixel and visual statistics (optionally per channel and per box) plus the
 * exact and perceptual hashes. Unreadable images are listed in the artifact, not thrown.
 */
export const imageStats = defineExtractor({
  name: "image-stats",
  version: "1.0.0",
  plugin: PLUGIN,
  description: "Decode each image once; dimension, pixel and visual statistics plus exact and perceptual hashes",
  options: imageStatsOptions,
  needs: [],
  provides: imageStatsArtifact,
  appliesTo: requiresImages,
  run: (ctx, _inputs, options) => computeImageStats(ctx, options),
});
