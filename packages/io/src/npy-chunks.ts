/**
 * Row-slice reader for 2-D `.npy` files (float16, float32 or float64, C order, little-endian): a chunk
 * source that reads a matrix larger than memory slice by slice, on every pass — for example the
 * pred_probs of `findLabelIssuesChunked` from @assay/label-issues.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { AssayError } from "@assay/core";
import { invalidInput, ioError, PLUGIN } from "./errors.js";
import { halfToFloat, readNpyHeader } from "./npy.js";

/** One row slice of a 2-D `.npy` file: `rows` × `cols` values, row-major (a `Float32Matrix` when float32). */
export interface NpyRowChunk {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

/** Options of {@link npyRowChunks}. */
export interface NpyRowChunksOptions {
  /** Rows per chunk (default 16,384). */
  rowsPerChunk?: number;
  /**
   * Reuse one chunk buffer for every slice (less allocation and GC). A chunk's `data` is then only valid
   * until the next chunk is requested — fine for consumers that never keep chunks (such as
   * `findLabelIssuesChunked`). Default false (every chunk gets its own array).
   */
  reuseBuffer?: boolean;
}

/**
 * A chunk source over a 2-D `.npy` file: a function `(pass) => AsyncIterable<NpyRowChunk>` that reads
 * `rowsPerChunk` rows at a time from disk each time it is iterated. float16 is widened to float32
 * (exact), float32 and float64 are read as is. Only one chunk is resident at a time. The header is read
 * when iteration starts: `IO_ERROR` when the file cannot be opened or is truncated, `INVALID_INPUT` for
 * a malformed header, a dtype other than little-endian float16/32/64, Fortran order, or a shape that is
 * not 2-D. `rowsPerChunk` must be a positive integer (`INVALID_OPTION`, thrown at once).
 */
export function npyRowChunks(path: string, options: NpyRowChunksOptions = {}): (pass: number) => AsyncIterable<NpyRowChunk> {
  const per = options.rowsPerChunk ?? 16384;
  if (!Number.isInteger(per) || per < 1) {
    throw new AssayError("INVALID_OPTION", `rowsPerChunk must be a positive integer (got ${per})`, { plugin: PLUGIN, details: { rowsPerChunk: per } });
  }
  return () => ({
    async *[Symbol.asyncIterator]() {
      const { dtype, shape, fortranOrder, littleEndian, itemBytes: width, dataOffset } = await readNpyHeader(path);
      if ((dtype !== "float16" && dtype !== "float32" && dtype !== "float64") || !littleEndian) {
        throw invalidInput(`${path}: unsupported dtype ${littleEndian ? "<" : ">"}${dtype} (expected little-endian float16/float32/float64)`, { file: path });
      }
      if (fortranOrder) throw invalidInput(`${path}: Fortran-order arrays are not supported`, { file: path });
      if (shape.length !== 2) throw invalidInput(`${path}: expected a 2-D array, got shape (${shape.join(", ")})`, { file: path });
      const [rows, cols] = shape as [number, number];
      // synchronous positioned reads: no thread-pool round trip per slice (much faster on a busy machine)
      let fd: number;
      try {
        fd = openSync(path, "r");
      } catch (cause) {
        throw ioError(`${path}: cannot open the .npy file`, { file: path }, cause);
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
            if (bytesRead === 0) throw ioError(`${path}: file is truncated at row ${r0} (read ${got} of ${bytes} bytes)`, { file: path });
            got += bytesRead;
          }
          if (half) halfToFloat(half.subarray(0, r * cols), data as Float32Array);
          yield { rows: r, cols, data };
        }
      } finally {
        closeSync(fd);
      }
    },
  });
}
