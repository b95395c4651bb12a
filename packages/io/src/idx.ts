import { invalidInput } from "./errors.js";
import { maybeGunzip, readBytes } from "./files.js";

/** A decoded IDX array (the MNIST file format): flat C-order data plus its shape. */
export interface IdxArray {
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  shape: number[];
  dtype: "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";
}

const TYPES = {
  0x08: ["uint8", 1],
  0x09: ["int8", 1],
  0x0b: ["int16", 2],
  0x0c: ["int32", 4],
  0x0d: ["float32", 4],
  0x0e: ["float64", 8],
} as const;

/**
 * Parse IDX bytes (gzip-compressed or not). IDX stores big-endian values after a 4-byte magic
 * (`0 0 type ndim`) and `ndim` big-endian uint32 dimensions. Throws `INVALID_INPUT` naming `file`.
 */
export function parseIdx(input: Uint8Array, file = "(bytes)"): IdxArray {
  const bytes = maybeGunzip(input, file);
  const bad = (why: string) => invalidInput(`${file} is not a valid IDX file: ${why}`, { file });
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw bad("the magic number must start with two zero bytes");
  const type = TYPES[bytes[2] as keyof typeof TYPES];
  if (!type) throw bad(`unknown element type 0x${bytes[2]!.toString(16)}`);
  const ndim = bytes[3]!;
  if (ndim === 0 || bytes.length < 4 + 4 * ndim) throw bad("the dimension list is missing or cut off");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let k = 0; k < ndim; k++) shape.push(view.getUint32(4 + 4 * k, false));
  const [dtype, size] = type;
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndim;
  if (bytes.length - start < count * size) {
    throw bad(`shape [${shape.join(", ")}] needs ${count * size} data bytes but the file has ${bytes.length - start}`);
  }
  let data: IdxArray["data"];
  switch (dtype) {
    case "uint8":
      data = bytes.slice(start, start + count);
      break;
    case "int8":
      data = new Int8Array(bytes.slice(start, start + count).buffer);
      break;
    default: {
      const ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[dtype];
      const out = new ctor(count);
      for (let i = 0; i < count; i++) {
        const o = start + i * size;
        out[i] =
          dtype === "int16" ? view.getInt16(o, false) : dtype === "int32" ? view.getInt32(o, false) : dtype === "float32" ? view.getFloat32(o, false) : view.getFloat64(o, false);
      }
      data = out;
    }
  }
  return { data, shape, dtype };
}

/** Read an IDX file (`.gz` or plain). See {@link parseIdx}. */
export async function readIdx(source: string | Uint8Array): Promise<IdxArray> {
  if (typeof source !== "string") return parseIdx(source);
  return parseIdx(await readBytes(source), source);
}
