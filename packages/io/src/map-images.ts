import { AssayError, type Dataset, type RasterImage, isAssayError } from "@assay/core";
import { availableParallelism } from "node:os";
import { messageOf, PLUGIN } from "./errors.js";

/** A sample whose image could not be decoded (or whose callback threw), and why. */
export interface ImageFailure {
  index: number;
  reason: string;
}

/** Options of {@link mapImages}. */
export interface MapImagesOptions {
  /** How many images are decoded at once (default: the number of CPU cores). */
  concurrency?: number;
  /** Stop early; `mapImages` then rejects with a `CANCELLED` AssayError. */
  signal?: AbortSignal;
  /** Called after every image with `(done, total)`. */
  onProgress?: (done: number, total: number) => void;
  /** Only these rows (default: every row). */
  indices?: ArrayLike<number>;
}

/** What {@link mapImages} returns: `results[i]` for every row that worked, failures sorted by row. */
export interface MapImagesResult<R> {
  results: (R | undefined)[];
  failures: ImageFailure[];
}

/**
 * Decode a dataset's images one by one with bounded concurrency and call `fn` on each; at most
 * `concurrency` decoded images are alive at once (unless `fn` keeps them). A row whose image cannot
 * be decoded — or whose `fn` throws — is recorded in `failures` with the reason instead of failing
 * the whole call. Only cancellation rejects.
 */
export async function mapImages<R>(
  dataset: Dataset,
  fn: (image: RasterImage, index: number) => R | Promise<R>,
  options: MapImagesOptions = {},
): Promise<MapImagesResult<R>> {
  const rows = options.indices ? Array.from(options.indices) : undefined;
  const total = rows ? rows.length : dataset.size;
  const results = new Array<R | undefined>(dataset.size);
  const failures: ImageFailure[] = [];
  const { signal } = options;
  const limit = Math.max(1, Math.min(total, Math.floor(options.concurrency ?? availableParallelism())));
  let next = 0;
  let done = 0;
  const cancelled = () =>
    new AssayError("CANCELLED", "image decoding was cancelled", { plugin: PLUGIN, stage: "decode", details: { done, total } });

  const worker = async () => {
    while (true) {
      if (signal?.aborted) throw cancelled();
      const k = next++;
      if (k >= total) return;
      const index = rows ? rows[k]! : k;
      try {
        const image = await dataset.image(index, signal ? { signal } : undefined);
        if (signal?.aborted) throw cancelled();
        results[index] = await fn(image, index);
      } catch (error) {
        if (signal?.aborted || isAssayError(error, "CANCELLED")) throw cancelled();
        failures.push({ index, reason: reasonOf(error) });
      }
      done++;
      options.onProgress?.(done, total);
    }
  };
  if (total > 0 && !dataset.hasImages) {
    throw new AssayError("INVALID_INPUT", `dataset "${dataset.name}" has no images to decode`, { plugin: PLUGIN, stage: "decode" });
  }
  await Promise.all(Array.from({ length: limit }, worker));
  failures.sort((a, b) => a.index - b.index);
  return { results, failures };
}

/** The short reason of a decode error: `details.reason` when an AssayError has one, else its message. */
export function reasonOf(error: unknown): string {
  if (isAssayError(error) && typeof error.details?.reason === "string") return error.details.reason;
  return messageOf(error);
}
