import { type FileHandle, mkdir, open, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { AssayError } from "@assay/core";
import { kernelFloat32Array } from "@assay/math";
import { fsError, invalidInput, ioError } from "./errors.js";

/** Element types `.npy` files can hold here. `bool` is read as 0/1 bytes; `float16` is widened to float32. */
export type NpyDtype = "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "int64" | "uint64" | "float16" | "float32" | "float64" | "bool";

/** The typed array behind an {@link NpyArray}. 64-bit integers stay exact as BigInt arrays. */
export type NpyData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** A decoded `.npy` array: flat C-order data plus its shape. */
export interface NpyArray {
  data: NpyData;
  shape: number[];
  dtype: NpyDtype;
}

const DTYPES: Record<string, { dtype: NpyDtype; bytes: number }> = {
  u1: { dtype: "uint8", bytes: 1 },
  i1: { dtype: "int8", bytes: 1 },
  b1: { dtype: "bool", bytes: 1 },
  u2: { dtype: "uint16", bytes: 2 },
  i2: { dtype: "int16", bytes: 2 },
  u4: { dtype: "uint32", bytes: 4 },
  i4: { dtype: "int32", bytes: 4 },
  u8: { dtype: "uint64", bytes: 8 },
  i8: { dtype: "int64", bytes: 8 },
  f2: { dtype: "float16", bytes: 2 },
  f4: { dtype: "float32", bytes: 4 },
  f8: { dtype: "float64", bytes: 8 },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** The header of a `.npy` file: what {@link readNpyHeader} and {@link parseNpyHeader} return. */
export interface NpyHeader {
  /** Element type as stored (float16 is widened to float32 by the readers). */
  readonly dtype: NpyDtype;
  /** Array shape (`[]` for a scalar). */
  readonly shape: number[];
  /** True when the data is stored in Fortran (column-major) order. */
  readonly fortranOrder: boolean;
  /** False when the descr is big-endian (`>`). */
  readonly littleEndian: boolean;
  /** Bytes per stored element. */
  readonly itemBytes: number;
  /** Byte offset of the first value. */
  readonly dataOffset: number;
}

/**
 * Where the header of `.npy` bytes ends (the data offset), from the first 12 bytes; undefined when the
 * magic is missing or fewer than 10 bytes are given.
 */
function npyHeaderEnd(bytes: Uint8Array): number | undefined {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[6] === 1) return 10 + view.getUint16(8, true);
  return bytes.length < 12 ? undefined : 12 + view.getUint32(8, true);
}

/**
 * Parse the header of `.npy` bytes (format versions 1–3; only the bytes up to the end of the header are
 * needed). Throws `INVALID_INPUT` naming `file` on a missing magic, a cut-off or unreadable header, an
 * unsupported dtype or a bad shape.
 */
export function parseNpyHeader(bytes: Uint8Array, file = "(bytes)"): NpyHeader {
  const bad = (why: string) => invalidInput(`${file} is not a valid .npy file: ${why}`, { file });
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw bad("missing the \\x93NUMPY magic");
  const headerStart = bytes[6] === 1 ? 10 : 12;
  const end = npyHeaderEnd(bytes);
  if (end === undefined || end > bytes.length) throw bad("the header is cut off");
  const header = new TextDecoder().decode(bytes.subarray(headerStart, end));
  const descr = /'descr'\s*:\s*'([<>|=])([a-z]\d+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeMatch) throw bad(`cannot read the header ${JSON.stringify(header.trim())}`);
  const kind = DTYPES[descr[2]!];
  if (!kind) throw bad(`unsupported dtype '${descr[1]}${descr[2]}' (supported: ${Object.keys(DTYPES).join(", ")})`);
  const shape = shapeMatch[1]!
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`bad shape (${shapeMatch[1]})`);
  return { dtype: kind.dtype, shape, fortranOrder: fortran[1] === "True", littleEndian: descr[1] !== ">", itemBytes: kind.bytes, dataOffset: end };
}

/**
 * Read only the header of a `.npy` file (a few hundred bytes, whatever the file size). Throws `IO_ERROR`
 * when the file cannot be opened or read and `INVALID_INPUT` when the header is malformed (see
 * {@link parseNpyHeader}).
 */
export async function readNpyHeader(path: string): Promise<NpyHeader> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (cause) {
    throw ioError(`${path}: cannot open the .npy file`, { file: path }, cause);
  }
  try {
    return await headerOf(fh, path);
  } finally {
    await fh.close();
  }
}

async function headerOf(fh: FileHandle, path: string): Promise<NpyHeader> {
  try {
    const head = new Uint8Array(12);
    const { bytesRead } = await fh.read(head, 0, 12, 0);
    const end = npyHeaderEnd(head.subarray(0, bytesRead));
    if (end === undefined) return parseNpyHeader(head.subarray(0, bytesRead), path);
    const all = new Uint8Array(end);
    const got = (await fh.read(all, 0, end, 0)).bytesRead;
    return parseNpyHeader(all.subarray(0, got), path);
  } catch (error) {
    if (error instanceof AssayError) throw error;
    throw ioError(`${path}: cannot read the .npy header`, { file: path }, error);
  }
}

/**
 * Parse `.npy` bytes (format versions 1–3). Little- and big-endian data are both accepted; Fortran-order
 * arrays are reordered to C order. Throws `INVALID_INPUT` naming `file` on anything malformed.
 */
export function parseNpy(bytes: Uint8Array, file = "(bytes)"): NpyArray {
  const header = parseNpyHeader(bytes, file);
  const payload = npyPayload(header, file, bytes.length - header.dataOffset);
  payload.raw.set(bytes.subarray(header.dataOffset, header.dataOffset + payload.raw.length));
  return payload.finish();
}

/**
 * The data of a `.npy` file with header `h` and `available` bytes after it: `raw`, a fresh aligned buffer to
 * put the stored bytes in (large float32 data in a kernel-resident array, which WebAssembly kernels read in
 * place), and `finish()`, which turns them into the array (byte order, float16 widening, Fortran order).
 * Throws `INVALID_INPUT` when fewer bytes than the shape needs are available.
 */
function npyPayload(h: NpyHeader, file: string, available: number): { raw: Uint8Array; finish(): NpyArray } {
  const { dtype, shape, fortranOrder, littleEndian, itemBytes } = h;
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * itemBytes;
  if (available < need) {
    throw invalidInput(`${file} is not a valid .npy file: shape (${shape.join(", ")}) needs ${need} data bytes but the file has ${available}`, { file });
  }
  const resident = dtype === "float32" && !fortranOrder && count >= RESIDENT_MIN ? matrixStorage(count) : undefined;
  const raw = resident ? new Uint8Array(resident.buffer, resident.byteOffset, need) : new Uint8Array(need);
  return {
    raw,
    finish: () => {
      if (!littleEndian && itemBytes > 1) {
        for (let i = 0; i < need; i += itemBytes) raw.subarray(i, i + itemBytes).reverse();
      }
      let data = resident ?? makeTyped(dtype, raw.buffer as ArrayBuffer, count);
      if (fortranOrder && shape.length > 1) data = fortranToC(data, shape);
      return { data, shape, dtype };
    },
  };
}

/**
 * float32 arrays of at least this many values (1 MiB) are read into kernel-resident memory (@assay/math
 * `kernelFloat32Array`); smaller ones gain nothing from it.
 */
const RESIDENT_MIN = 1 << 18;

/**
 * Storage for a float32 matrix of `count` values that io reads or computes (.npy, Arrow, embedding
 * extractors): kernel-resident from 1 MiB up — WebAssembly kernels scan it in place and worker threads
 * share it without a copy (e.g. NN-descent's exact re-scoring) — else a plain Float32Array.
 * @internal
 */
export function matrixStorage(count: number): Float32Array {
  return count >= RESIDENT_MIN ? kernelFloat32Array(count) : new Float32Array(count);
}

function makeTyped(dtype: NpyDtype, buffer: ArrayBuffer, count: number): NpyData {
  switch (dtype) {
    case "uint8":
    case "bool":
      return new Uint8Array(buffer, 0, count);
    case "int8":
      return new Int8Array(buffer, 0, count);
    case "uint16":
      return new Uint16Array(buffer, 0, count);
    case "int16":
      return new Int16Array(buffer, 0, count);
    case "uint32":
      return new Uint32Array(buffer, 0, count);
    case "int32":
      return new Int32Array(buffer, 0, count);
    case "int64":
      return new BigInt64Array(buffer, 0, count);
    case "uint64":
      return new BigUint64Array(buffer, 0, count);
    case "float16":
      return halfToFloat(new Uint16Array(buffer, 0, count));
    case "float32":
      return new Float32Array(buffer, 0, count);
    case "float64":
      return new Float64Array(buffer, 0, count);
  }
}

let HALF: Float32Array | undefined;

/** float16 bit pattern → float32 value, as a 65,536-entry table (exact; built on first use). @internal */
export function halfTable(): Float32Array {
  if (HALF) return HALF;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    t[h] = exp === 0 ? sign * 2 ** -14 * (frac / 1024) : exp === 31 ? (frac ? Number.NaN : sign * Infinity) : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  HALF = t;
  return t;
}

/** Widen float16 bit patterns into `out` (float32, exact). @internal */
export function halfToFloat(half: Uint16Array, out: Float32Array = new Float32Array(half.length)): Float32Array {
  const t = halfTable();
  for (let i = 0; i < half.length; i++) out[i] = t[half[i]!]!;
  return out;
}

function fortranToC<T extends NpyData>(data: T, shape: number[]): T {
  const n = shape.length;
  const fStride = new Array<number>(n);
  let s = 1;
  for (let k = 0; k < n; k++) {
    fStride[k] = s;
    s *= shape[k]!;
  }
  const out = new (data.constructor as new (length: number) => T)(data.length);
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < data.length; c++) {
    let f = 0;
    for (let k = 0; k < n; k++) f += idx[k]! * fStride[k]!;
    (out as unknown as number[])[c] = (data as unknown as number[])[f]!;
    for (let k = n - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * Read a `.npy` file (or parse bytes you already have). See {@link parseNpy}. The file's data is read straight
 * into the array's storage: no copy of the whole file is held on the way.
 */
export async function readNpy(source: string | Uint8Array): Promise<NpyArray> {
  if (typeof source !== "string") return parseNpy(source);
  let fh: FileHandle;
  try {
    fh = await open(source, "r");
  } catch (error) {
    throw fsError(error, source, "read");
  }
  try {
    const header = await headerOf(fh, source);
    const { size } = await fh.stat();
    const { raw, finish } = npyPayload(header, source, size - header.dataOffset);
    for (let at = 0; at < raw.length; ) {
      const { bytesRead } = await fh.read(raw, at, Math.min(raw.length - at, READ_CHUNK), header.dataOffset + at);
      if (bytesRead === 0) throw invalidInput(`${source} is not a valid .npy file: it ended after ${at} of ${raw.length} data bytes`, { file: source });
      at += bytesRead;
    }
    return finish();
  } catch (error) {
    if (error instanceof AssayError) throw error;
    throw fsError(error, source, "read");
  } finally {
    await fh.close();
  }
}

/** Bytes per read of {@link readNpy} (64 MiB). */
const READ_CHUNK = 1 << 26;

/** Data types {@link encodeNpy} can write. */
export type NpyWritable = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

function descrOf(data: NpyWritable): string {
  if (data instanceof Uint8Array) return "|u1";
  if (data instanceof Int8Array) return "|i1";
  if (data instanceof Uint16Array) return "<u2";
  if (data instanceof Int16Array) return "<i2";
  if (data instanceof Uint32Array) return "<u4";
  if (data instanceof Int32Array) return "<i4";
  if (data instanceof BigInt64Array) return "<i8";
  if (data instanceof BigUint64Array) return "<u8";
  if (data instanceof Float32Array) return "<f4";
  return "<f8";
}

/**
 * Encode a typed array as `.npy` (version 1.0, little-endian, C order). `shape` must multiply to
 * `data.length`; a 1-D shape `[data.length]` is the default.
 */
export function encodeNpy(data: NpyWritable, shape: readonly number[] = [data.length]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || count !== data.length) {
    throw invalidInput(`shape [${shape.join(", ")}] does not match ${data.length} values`, { shape: [...shape] });
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descrOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Write a typed array to a `.npy` file (parent folders are created). */
export async function writeNpy(path: string, data: NpyWritable, shape: readonly number[] = [data.length]): Promise<void> {
  const bytes = encodeNpy(data, shape);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  } catch (error) {
    throw fsError(error, path, "write");
  }
}

/** Copy any numeric {@link NpyData} into plain numbers (BigInt values converted with `Number`). */
export function toNumbers(data: NpyData): Float64Array {
  const out = new Float64Array(data.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
  } else {
    out.set(data);
  }
  return out;
}
