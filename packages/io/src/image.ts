import type { RasterImage } from "@assay/core";
import sharp, { type Metadata, type OutputInfo } from "sharp";
import { ioError, messageOf } from "./errors.js";
import { readBytes } from "./files.js";

/** sharp's own default input pixel limit (0x3FFF × 0x3FFF), used unless `maxPixels` says otherwise. */
export const DEFAULT_MAX_PIXELS = 268402689;

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /**
   * Refuse images with more than this many pixels (width × height), read from the header before any
   * pixel is decoded — the guard against decompression bombs. Default {@link DEFAULT_MAX_PIXELS}.
   */
  maxPixels?: number;
  /**
   * How strict decoding is, as sharp's `failOn`: `"warning"` (default) rejects truncated or
   * corrupt data; `"error"` tolerates recoverable damage; `"none"` decodes whatever it can.
   */
  failOn?: "none" | "truncated" | "error" | "warning";
  /** A name for the image in error messages (default: the path, or `"(bytes)"`). */
  name?: string;
}

/**
 * Decode an encoded image (PNG, JPEG, WebP, TIFF, GIF (first frame), AVIF) into a {@link RasterImage}.
 *
 * - EXIF orientation is applied (the result is upright).
 * - Grayscale stays 1 channel (2 with alpha), colour is 3 channels (4 with alpha); CMYK becomes sRGB.
 * - 16-bit PNG/TIFF stay 16-bit (`bitDepth: 16`, `Uint16Array`); everything else is 8-bit.
 *
 * Throws an `IO_ERROR` {@link AssayError} with `details.file` and `details.reason` when the bytes are
 * empty, not an image, truncated, or over `maxPixels`.
 */
export async function decodeImage(source: string | Uint8Array, options: DecodeOptions = {}): Promise<RasterImage> {
  if (typeof source === "string") return decodeBytes(await readBytes(source), options.name ?? source, options);
  return decodeBytes(source, options.name ?? "(bytes)", options);
}

/** Decode encoded bytes; `name` is used in error messages. */
export async function decodeBytes(bytes: Uint8Array, name: string, options: DecodeOptions = {}): Promise<RasterImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const fail = (reason: string, cause?: unknown) => ioError(`cannot decode image ${name}: ${reason}`, { file: name, reason }, cause);
  if (bytes.length === 0) throw fail("the file is empty (0 bytes)");
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // PNG: check the IHDR size ourselves first, so an absurd header is refused with a clear reason
  // even when the rest of the file is missing.
  const png = pngHeaderSize(input);
  if (png && png.width * png.height > maxPixels) {
    throw fail(`the header claims ${png.width}×${png.height} = ${png.width * png.height} pixels, over the limit of ${maxPixels} (maxPixels)`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw fail(cleanReason(messageOf(error)), error);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw fail("the header has no image size");
  if (width * height > maxPixels) {
    throw fail(`the header claims ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels} (maxPixels)`);
  }
  const is16 = meta.depth === "ushort" || meta.depth === "short";
  const gray = meta.space === "b-w" || meta.space === "grey16";
  const hasAlpha = meta.hasAlpha === true;
  // libvips drops the alpha of 8-bit grey+alpha when converting to b-w, so decode those as RGBA
  // and keep channels 0 and 3.
  const grayAlpha8 = gray && hasAlpha && !is16;
  const colourspace = gray && !grayAlpha8 ? (is16 ? "grey16" : "b-w") : is16 ? "rgb16" : "srgb";
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(input, { limitInputPixels: maxPixels, failOn: options.failOn ?? "warning", autoOrient: true })
      .toColourspace(colourspace)
      .raw({ depth: is16 ? "ushort" : "uchar" })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw fail(cleanReason(messageOf(error)), error);
  }
  const { info } = raw;
  if (grayAlpha8 && info.channels === 4) {
    const n = info.width * info.height;
    const out = new Uint8Array(n * 2);
    for (let p = 0; p < n; p++) {
      out[2 * p] = raw.data[4 * p]!;
      out[2 * p + 1] = raw.data[4 * p + 3]!;
    }
    return { width: info.width, height: info.height, channels: 2, bitDepth: 8, data: out };
  }
  const channels = info.channels as RasterImage["channels"];
  if (is16) {
    const data = new Uint16Array(raw.data.length / 2);
    new Uint8Array(data.buffer).set(raw.data);
    return { width: info.width, height: info.height, channels, bitDepth: 16, data };
  }
  return { width: info.width, height: info.height, channels, bitDepth: 8, data: new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length) };
}

function pngHeaderSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b) || bytes.toString("latin1", 12, 16) !== "IHDR") return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function cleanReason(message: string): string {
  if (/unsupported image format/i.test(message)) return "not a supported image format";
  return message.replace(/\s+/g, " ").trim();
}

/**
 * Per-channel mean and standard deviation (population) of `image`'s R, G, B in [0, 1]; grayscale gives
 * the same value for all three. Alpha is ignored. Returns `[meanR, meanG, meanB, stdR, stdG, stdB]`.
 */
export function colourStats(image: RasterImage): Float64Array {
  const { width, height, channels: C, data } = image;
  const n = width * height;
  const scale = 1 / (image.bitDepth === 16 ? 65535 : 255);
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  const used = C >= 3 ? 3 : 1;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < used; c++) {
      const v = data[p * C + c]! * scale;
      sum[c]! += v;
      sq[c]! += v * v;
    }
  }
  const out = new Float64Array(6);
  for (let c = 0; c < 3; c++) {
    const k = used === 3 ? c : 0;
    const mean = n > 0 ? sum[k]! / n : 0;
    out[c] = mean;
    out[3 + c] = n > 0 ? Math.sqrt(Math.max(0, sq[k]! / n - mean * mean)) : 0;
  }
  return out;
}
