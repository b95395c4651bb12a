/**
 * The example's data: Fashion-MNIST train/test arrays from `examples/data/fashion-arrays`, embedded by the
 * committed encoder (`examples/data/models/fashion-encoder.onnx`, 64-d `embedding` output) through
 * @assay/backend-onnx, plus the label noise the cleaning loop starts from.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AssayError, type Float32Matrix } from "@assay/core";
import { onnxBackend } from "@assay/backend-onnx";
import { readNpy, toNumbers } from "@assay/io";
import { createRng } from "@assay/math";
import { readFile } from "node:fs/promises";

const HERE = dirname(fileURLToPath(import.meta.url));

/** The example's folder (`examples/coreset-cleaning`); the same from `src/` and from `dist/`. */
export const EXAMPLE_ROOT = resolve(HERE, "..");

/** Default data folder: `examples/data/fashion-arrays`. */
export const DEFAULT_DATA_DIR = resolve(EXAMPLE_ROOT, "../data/fashion-arrays");

/** Default encoder: `examples/data/models/fashion-encoder.onnx`. */
export const DEFAULT_MODEL = resolve(EXAMPLE_ROOT, "../data/models/fashion-encoder.onnx");

/** Features, labels and ground truth for one cleaning experiment. */
export interface CleaningData {
  /** Class names, in label order. */
  classes: string[];
  /** Training features (n × d). */
  train: Float32Matrix;
  /** The labels the loop starts from (with noise). */
  noisy: Int32Array;
  /** The true labels (only the simulated reviewer sees them). */
  truth: Int32Array;
  /** Clean held-out features (m × d). */
  test: Float32Matrix;
  /** Clean held-out labels. */
  testLabels: Int32Array;
  /** Where the noise came from, for the printout. */
  noise: string;
}

/** Label noise of the training rows. */
export type NoiseSpec =
  /** The labels committed in `labels.npy` (seed 20240602: 6 %, half to a confusable class, half uniform). */
  | { kind: "dataset" }
  /** Exactly ⌊rate·n⌋ rows, chosen by a seeded permutation, flipped to a uniformly random other class. */
  | { kind: "uniform"; rate: number; seed: number };

/** Options of {@link loadCleaningData}. */
export interface LoadOptions {
  /** Data folder (default {@link DEFAULT_DATA_DIR}). */
  dataDir?: string;
  /** ONNX encoder (default {@link DEFAULT_MODEL}). */
  model?: string;
  /** Use only the first `rows` training rows (default: all 10,000). */
  rows?: number;
  /** Use only the first `testRows` test rows (default: all 2,000). */
  testRows?: number;
  /** Label noise (default `{ kind: "dataset" }`). */
  noise?: NoiseSpec;
  /** Images per encoder call (default 256). */
  batchSize?: number;
}

async function readInts(file: string): Promise<Int32Array> {
  return Int32Array.from(toNumbers((await readNpy(file)).data));
}

async function readImages(file: string, limit: number | undefined): Promise<{ pixels: Uint8Array; n: number; h: number; w: number }> {
  const array = await readNpy(file);
  if (array.dtype !== "uint8" || array.shape.length !== 3) {
    throw new AssayError("INVALID_INPUT", `${file} holds ${array.dtype} [${array.shape.join(", ")}]; expected uint8 [n, h, w]`, { details: { file } });
  }
  const [total, h, w] = array.shape as [number, number, number];
  const n = limit === undefined ? total : Math.min(total, limit);
  return { pixels: (array.data as Uint8Array).subarray(0, n * h * w), n, h, w };
}

function metaNumber(metadata: Readonly<Record<string, string>>, key: string, model: string): number {
  const value = Number(metadata[key]);
  if (!Number.isFinite(value)) throw new AssayError("MODEL_ERROR", `${model} has no numeric metadata "${key}"`, { details: { model, key } });
  return value;
}

/**
 * Embed gray images with the encoder: `x = (pixel / scale − mean) / std` from the model's own metadata,
 * N×1×H×W batches, the `embedding` output.
 * @throws AssayError `MODEL_ERROR` when the model lacks the metadata or the output
 */
export async function embedImages(pixels: Uint8Array, n: number, h: number, w: number, model: string, batchSize = 256): Promise<Float32Matrix> {
  const loaded = await onnxBackend().load(model);
  try {
    const meta = loaded.metadata;
    const scale = metaNumber(meta, "assay.pixel_scale", model);
    const mean = metaNumber(meta, "assay.mean", model);
    const std = metaNumber(meta, "assay.std", model);
    const inputName = meta["assay.input_name"] ?? loaded.inputs[0]!.name;
    const outputName = meta["assay.embedding_output"] ?? "embedding";
    const size = h * w;
    let data: Float32Array | undefined;
    let cols = 0;
    for (let start = 0; start < n; start += batchSize) {
      const b = Math.min(batchSize, n - start);
      const x = new Float32Array(b * size);
      for (let i = 0; i < b * size; i++) x[i] = (pixels[start * size + i]! / scale - mean) / std;
      const out = (await loaded.run({ [inputName]: { data: x, dims: [b, 1, h, w] } }))[outputName];
      if (!out) throw new AssayError("MODEL_ERROR", `${model} has no output "${outputName}"`, { details: { model, output: outputName } });
      cols = out.dims[1]!;
      data ??= new Float32Array(n * cols);
      data.set(out.data.subarray(0, b * cols), start * cols);
    }
    return { rows: n, cols, data: data ?? new Float32Array(0) };
  } finally {
    await loaded.dispose();
  }
}

/**
 * Flip exactly ⌊rate·n⌋ labels (rows from a seeded shuffle) to a uniformly random other class.
 * @throws AssayError `INVALID_OPTION` when the rate is outside [0, 1)
 */
export function uniformNoise(truth: Int32Array, classes: number, rate: number, seed: number): Int32Array {
  if (!(rate >= 0 && rate < 1)) throw new AssayError("INVALID_OPTION", `noise rate must be in [0, 1), got ${rate}`, { details: { option: "rate" } });
  const rng = createRng(seed);
  const order = rng.shuffle(Int32Array.from({ length: truth.length }, (_, i) => i));
  const noisy = Int32Array.from(truth);
  const flips = Math.floor(rate * truth.length);
  for (let j = 0; j < flips; j++) {
    const i = order[j]!;
    const other = rng.int(classes - 1);
    noisy[i] = other >= truth[i]! ? other + 1 : other;
  }
  return noisy;
}

/**
 * Load the Fashion-MNIST arrays, embed train and test images with the encoder and apply the label noise.
 * Embedding 12,000 images takes a few seconds on CPU, so nothing is cached.
 * @throws AssayError `IO_ERROR` / `INVALID_INPUT` for missing or malformed arrays, `MODEL_ERROR` from the encoder
 */
export async function loadCleaningData(options: LoadOptions = {}): Promise<CleaningData> {
  const dir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const model = resolve(options.model ?? DEFAULT_MODEL);
  const classes = (await readFile(join(dir, "classes.txt"), "utf8")).split("\n").map((s) => s.trim()).filter((s) => s.length > 0);
  const images = await readImages(join(dir, "images.npy"), options.rows);
  const testImages = await readImages(join(dir, "test_images.npy"), options.testRows);
  const truth = (await readInts(join(dir, "true_labels.npy"))).subarray(0, images.n);
  const given = (await readInts(join(dir, "labels.npy"))).subarray(0, images.n);
  const testLabels = (await readInts(join(dir, "test_labels.npy"))).subarray(0, testImages.n);
  const noise = options.noise ?? { kind: "dataset" };
  const noisy = noise.kind === "dataset" ? Int32Array.from(given) : uniformNoise(truth, classes.length, noise.rate, noise.seed);
  const batch = options.batchSize ?? 256;
  const train = await embedImages(images.pixels, images.n, images.h, images.w, model, batch);
  const test = await embedImages(testImages.pixels, testImages.n, testImages.h, testImages.w, model, batch);
  const label =
    noise.kind === "dataset" ? "labels.npy (seed 20240602: half confusable, half uniform flips)" : `${(noise.rate * 100).toFixed(0)} % uniform flips, seed ${noise.seed}`;
  return { classes, train, noisy, truth: Int32Array.from(truth), test, testLabels: Int32Array.from(testLabels), noise: label };
}
