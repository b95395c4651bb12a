// Helpers shared by the tests: temp folders and small real image files made with sharp.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { type Dataset, type NodeContext, AssayError } from "@assay/core";
import sharp from "sharp";
import { afterAll } from "vitest";

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh temp folder, removed after the test file. */
export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "assay-io-"));
  made.push(d);
  return d;
}

/** Write bytes or text, creating parent folders. */
export async function put(path: string, content: Uint8Array | string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

/** A solid-colour 8-bit RGB PNG (or JPEG) of the given size. */
export async function solidImage(width: number, height: number, rgb: [number, number, number], format: "png" | "jpeg" = "png"): Promise<Buffer> {
  const s = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return format === "png" ? s.png().toBuffer() : s.jpeg({ quality: 95 }).toBuffer();
}

/** A PNG from raw 8-bit pixels. */
export async function rawPng(data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<Buffer> {
  let s = sharp(Buffer.from(data), { raw: { width, height, channels } });
  if (channels <= 2) s = s.toColourspace("b-w");
  return s.png().toBuffer();
}

/** A syntactically valid PNG signature + IHDR chunk claiming `width × height`, with a correct CRC, and no pixel data. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const body = Buffer.alloc(17);
  body.write("IHDR", 0, "ascii");
  body.writeUInt32BE(width, 4);
  body.writeUInt32BE(height, 8);
  body[12] = 8; // bit depth
  body[13] = 2; // colour type RGB
  body[14] = 0;
  body[15] = 0;
  body[16] = 0;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(13, 0);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0, 0);
  const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  return Buffer.concat([sig, len, body, crc, iend]);
}

/** A minimal node context for calling extractors and detectors directly. */
export function testContext(dataset: Dataset, overrides: Partial<{ signal: AbortSignal; concurrency: number }> = {}) {
  const warnings: string[] = [];
  const progress: [number, number][] = [];
  const ctx: NodeContext = {
    dataset,
    signal: overrides.signal ?? new AbortController().signal,
    concurrency: overrides.concurrency ?? 2,
    progress: (d, t) => progress.push([d, t]),
    warn: (m) => warnings.push(m),
    backend: async () => {
      throw new AssayError("BACKEND_NOT_FOUND", "no backends in tests");
    },
  };
  return { ctx, warnings, progress };
}

/** Run `fn` and return the AssayError it throws (fails the test if it does not throw one). */
export async function caught(fn: () => Promise<unknown> | unknown): Promise<AssayError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AssayError) return error;
    throw new Error(`expected an AssayError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected an AssayError, nothing was thrown");
}

/** Encode an IDX uint8 file: magic 0 0 0x08 ndim, big-endian dims, data. */
export function idxBytes(shape: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = 0x08;
  head[3] = shape.length;
  shape.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, Buffer.from(data)]);
}
