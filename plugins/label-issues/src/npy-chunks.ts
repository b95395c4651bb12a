/**
 * Row-slice reader for 2-D `.npy` files (float16, float32 or float64, C order, little-endian), used as a
 * chunk source for {@link findLabelIssuesChunked} so a matrix larger than memory is read slice by slice.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { AssayError } from "@assay/core";
import { PLUGIN_NAME } from "./errors.js";
import type { ProbMatrix } from "./types.js";

/** Header of a `.npy` file. */
export interface NpyHeader {
  readonly dtype: "float16" | "float32" | "float64";
  readonly shape: readonly number[];
  /** Byte offset of the first value. */
  readonly dataOffset: number;
}

const DTYPES: Record<string, NpyHeader["dtype"]> = { "<f2": "float16", "<f4": "float32", "<f8": "float64" };

function ioError(path: string, message: string, cause?: unknown): AssayError {
  return new AssayError("IO_ERROR", `${path}: ${message}`, { plugin: PLUGIN_NAME, details: { path }, ...(cause ? { cause } : {}) });
}

/** Read the header of a `.npy` file (versions 1–3). */
export async function readNpyHeader(path: string): Promise<NpyHeader> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (cause) {
    throw ioError(path, "cannot open the .npy file", cause);
  }
  try {
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    if (head.toString("latin1", 1, 6) !== "NUMPY") throw ioError(path, "not a .npy file (bad magic)");
    const major = head[6]!;
    const hlen = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
    const start = major === 1 ? 10 : 12;
    const hb = Buffer.alloc(hlen);
    await fh.read(hb, 0, hlen, start);
    const header = hb.toString("latin1");
    const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
    const dtype = descr !== undefined ? DTYPES[descr] : undefined;
    if (dtype === undefined) throw ioError(path, `unsupported dtype ${descr ?? "?"} (expected little-endian float16/float32/float64)`);
    if (/'fortran_order':\s*True/.test(header)) throw ioError(path, "Fortran-order arrays are not supported");
    const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "").split(",").filter((s) => s.trim()).map(Number);
    if (shape.length !== 2) throw ioError(path, `expected a 2-D array, got shape (${shape.join(", ")})`);
    return { dtype, shape, dataOffset: start + hlen };
  } finally {
    await fh.close();
  }
}

let HALF: Float32Array | undefined;
/** float16 bit pattern → float32 value, as a 65,536-entry table (exact). */
function halfTable(): Float32Array {
  if (HALF) return HALF;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const f = h & 0x3ff;
    t[h] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15);
  }
  HALF = t;
  return t;
}

/** Options of {@link npyRowChunks}. */
export interface NpyRowChunksOptions {
  /** Rows per chunk (default 16,384). */
  rowsPerChunk?: number;
  /**
   * Reuse one chunk buffer for every slice (less allocation and GC). A chunk's `data` is then only valid
   * until the next chunk is requested — fine for {@link findLabelIssuesChunked}, which never keeps chunks.
   * Default false (every chunk gets its own array).
   */
  reuseBuffer?: boolean;
}

/**
 * A chunk source over a 2-D `.npy` file: a function `(pass) => AsyncIterable<ProbMatrix>` that reads
 * `rowsPerChunk` rows at a time from disk on every pass. float16 is widened to float32 (exact), float32
 * and float64 are read as is. Only one chunk is resident at a time.
 */
export function npyRowChunks(path: string, options: NpyRowChunksOptions = {}): (pass: number) => AsyncIterable<ProbMatrix> {
  const per = options.rowsPerChunk ?? 16384;
  if (!Number.isInteger(per) || per < 1) {
    throw new AssayError("INVALID_OPTION", `rowsPerChunk must be a positive integer (got ${per})`, { plugin: PLUGIN_NAME });
  }
  return () => ({
    async *[Symbol.asyncIterator]() {
      const { dtype, shape, dataOffset } = await readNpyHeader(path);
      const [rows, cols] = shape as [number, number];
      const width = dtype === "float16" ? 2 : dtype === "float32" ? 4 : 8;
      // synchronous positioned reads: no thread-pool round trip per slice (much faster on a busy machine)
      let fd: number;
      try {
        fd = openSync(path, "r");
      } catch (cause) {
        throw ioError(path, "cannot open the .npy file", cause);
      }
      try {
        // read straight into the typed array's memory (a Buffer → typed array copy is much slower)
        const half = dtype === "float16" ? new Uint16Array(per * cols) : undefined;
        const Ctor = dtype === "float64" ? Float64Array : Float32Array;
        const shared = options.reuseBuffer ? new Ctor(per * cols) : undefined;
        for (let r0 = 0; r0 < rows; r0 += per) {
          const r = Math.min(per, rows - r0);
          const bytes = r * cols * width;
          const data = shared ? shared.subarray(0, r * cols) : new Ctor(r * cols);
          const target = half ? new Uint8Array(half.buffer, 0, bytes) : new Uint8Array(data.buffer, data.byteOffset, bytes);
          let got = 0;
          while (got < bytes) {
            const bytesRead = readSync(fd, target, got, bytes - got, dataOffset + r0 * cols * width + got);
            if (bytesRead === 0) throw ioError(path, `file is truncated at row ${r0} (read ${got} of ${bytes} bytes)`);
            got += bytesRead;
          }
          if (half) {
            const t = halfTable();
            for (let i = 0; i < data.length; i++) data[i] = t[half[i]!]!;
          }
          yield { rows: r, cols, data };
        }
      } finally {
        closeSync(fd);
      }
    },
  });
}
