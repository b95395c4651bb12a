import type { RasterImage } from "@assay/core";
import { resolve } from "node:path";
import { ioError } from "../errors.js";
import { type FsPath, pathText, readBytes } from "../files.js";
import { type DecodeOptions, decodeBytes } from "../image.js";

/** Options every loader understands. */
export interface CommonLoadOptions {
  /** Dataset name (default: the file or folder name). */
  name?: string;
  /** Pixel limit per image, see {@link DecodeOptions.maxPixels} (default 268402689, sharp's). */
  maxPixels?: number;
  /** Decoder strictness, see {@link DecodeOptions.failOn} (default `"warning"`). */
  failOn?: DecodeOptions["failOn"];
  /**
   * Class names, in index order: an array, or a text file with one name per line. Loaders that read
   * names from labels then map each name to its position, and an unknown name is an error.
   */
  classes?: readonly string[] | string;
}

/** Lazy, file-backed image access for a list of paths. */
export function fileImages(
  paths: readonly FsPath[],
  options: CommonLoadOptions,
): { images: (index: number) => Promise<RasterImage>; imageBytes: (index: number) => Promise<Uint8Array> } {
  const decodeOptions: DecodeOptions = {};
  if (options.maxPixels !== undefined) decodeOptions.maxPixels = options.maxPixels;
  if (options.failOn !== undefined) decodeOptions.failOn = options.failOn;
  const imageBytes = async (index: number) => {
    const path = paths[index];
    if (path === undefined) throw ioError(`no image for row ${index}`, { index });
    try {
      return await readBytes(path);
    } catch (error) {
      const file = pathText(path);
      const reason = (error as { details?: { errno?: string } }).details?.errno === "ENOENT" ? "file not found" : (error as Error).message;
      throw ioError(`cannot read image ${file}: ${reason}`, { file, index, reason }, error);
    }
  };
  const images = async (index: number) => {
    const bytes = await imageBytes(index);
    try {
      return await decodeBytes(bytes, pathText(paths[index]!), decodeOptions);
    } catch (error) {
      const details = (error as { details?: Record<string, unknown> }).details ?? {};
      throw ioError((error as Error).message, { ...details, index }, error);
    }
  };
  return { images, imageBytes };
}

/** Absolute path of `p` as text (used for `sources`). */
export function absText(p: FsPath): string {
  return resolve(pathText(p));
}

/** The salt that makes a loader's fingerprint depend on its format and root. */
export function salt(format: string, root: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format, root: resolve(root), ...extra });
}

/** File extensions treated as images by folder scans. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  ".png",
  ".jpg",
  ".jpeg",
  ".jpe",
  ".jfif",
  ".webp",
  ".tif",
  ".tiff",
  ".gif",
  ".avif",
]);
