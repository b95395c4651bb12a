import type { Dataset, RasterImage, Report } from "@assay/core";

/** Options of {@link reportThumbnails}. */
export interface ThumbnailOptions {
  /** Longest side of a thumbnail in pixels (default 48). */
  size?: number;
  /** Most thumbnails made, for the first findings in report order (default 200). */
  limit?: number;
  /** Images decoded at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * Small PNG thumbnails (as `data:` URIs) of the first sample of the report's first findings, for
 * `renderHtml`'s `thumbnails` option. Rows whose image cannot be decoded get none. Empty when the
 * dataset has no images.
 */
export async function reportThumbnails(report: Report, dataset: Dataset, options: ThumbnailOptions = {}): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!dataset.hasImages) return out;
  const size = options.size ?? 48;
  const rows: number[] = [];
  const seen = new Set<number>();
  for (const f of report.findings) {
    const row = f.indices[0];
    if (row === undefined || seen.has(row)) continue;
    seen.add(row);
    rows.push(row);
    if (rows.length >= (options.limit ?? 200)) break;
  }
  if (rows.length === 0) return out;
  const { default: sharp } = await import("sharp");
  let next = 0;
  const worker = async () => {
    while (next < rows.length && !options.signal?.aborted) {
      const row = rows[next++]!;
      try {
        const image = await dataset.image(row, options.signal ? { signal: options.signal } : {});
        const png = await sharp(to8bit(image), { raw: { width: image.width, height: image.height, channels: image.channels } })
          .resize(size, size, { fit: "inside", kernel: "nearest", withoutEnlargement: false })
          .png()
          .toBuffer();
        out.set(row, `data:image/png;base64,${png.toString("base64")}`);
      } catch {
        // an unreadable image is already a finding; it simply gets no thumbnail
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return out;
}

function to8bit(image: RasterImage): Buffer {
  if (image.bitDepth === 8) return Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const bytes = Buffer.alloc(image.data.length);
  for (let i = 0; i < image.data.length; i++) bytes[i] = image.data[i]! >> 8;
  return bytes;
}
