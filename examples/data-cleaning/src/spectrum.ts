/**
 * `fourier-embedding`: a model-free embedding for near-duplicate search that does not move when an image is
 * shifted by a pixel or two, brightened, darkened or given more or less contrast — the edits that
 * perceptual hashes of small images and raw-pixel thumbnails miss (see README, "Why this embedding").
 */
import { AssayError, artifacts, defineExtractor, z, type Float32Matrix } from "@assay/core";
import { mapImages, resizeGray } from "@assay/io";
import { dftTables, lowFrequencyCount, lowFrequencyMagnitudes } from "@assay/math";

/**
 * Extractor providing `embeddings`: each image → grayscale `side`×`side` (area resampling) → mean removed →
 * magnitudes of its low 2-D DFT frequencies → L2-normalised. Translation changes only the DFT phase, a
 * brightness offset only the (removed) mean, a contrast factor only the (normalised) scale. Unreadable
 * images get a zero row and a warning (they are reported as `unreadable_image` by the linter).
 */
export const fourierEmbedding = defineExtractor({
  name: "fourier-embedding",
  version: "1",
  plugin: "example-data-cleaning",
  description: "Shift/brightness/contrast-invariant embedding: normalised low-frequency 2-D DFT magnitudes of a grayscale thumbnail",
  options: z.object({
    /** Thumbnail side the image is resized to before the transform (default 28, Fashion-MNIST's size). */
    side: z.number().int().min(4).max(256).default(28),
    /** Frequencies kept per axis, F: the embedding has F·(2F − 1) columns (default 8 → 120). */
    frequencies: z.number().int().min(2).max(64).default(8),
  }),
  needs: [],
  provides: artifacts.embeddings,
  async run(ctx, _inputs, options): Promise<Float32Matrix> {
    const { side, frequencies } = options;
    if (frequencies > side / 2) {
      throw new AssayError("INVALID_OPTION", `fourier-embedding: frequencies (${frequencies}) must be at most side / 2 (${side / 2})`, {
        node: "fourier-embedding",
        details: { option: "frequencies" },
      });
    }
    const n = ctx.dataset.size;
    const cols = lowFrequencyCount(frequencies);
    const data = new Float32Array(n * cols);
    const tables = dftTables(side);
    const { failures } = await mapImages(
      ctx.dataset,
      (image, i) => {
        const row = data.subarray(i * cols, (i + 1) * cols);
        const norm = lowFrequencyMagnitudes(resizeGray(image, side, side), tables, frequencies, row);
        if (norm > 0) for (let j = 0; j < cols; j++) row[j] = row[j]! / norm;
      },
      { concurrency: ctx.concurrency, signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) },
    );
    if (failures.length > 0) ctx.warn(`${failures.length} image(s) could not be decoded; their fourier-embedding rows are zero`);
    return { rows: n, cols, data };
  },
});
