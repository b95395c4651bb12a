/**
 * Reads `metadata_props` (ModelProto field 14) out of ONNX bytes without decoding the graph or its
 * weights: a forward scan over the top-level protobuf fields. onnxruntime-node does not expose these
 * key/value pairs, and they carry the preprocessing hints.
 */

const textDecoder = new TextDecoder();

/** Result of scanning a buffer as an ONNX ModelProto. */
export interface OnnxScan {
  /** True when the bytes parse as protobuf and contain a graph (field 7). */
  hasGraph: boolean;
  metadata: Record<string, string>;
}

/** Scan ONNX model bytes; returns `undefined` when they are not valid protobuf. */
export function scanOnnx(bytes: Uint8Array): OnnxScan | undefined {
  const metadata: Record<string, string> = {};
  let hasGraph = false;
  let pos = 0;
  try {
    while (pos < bytes.length) {
      const [tag, afterTag] = varint(bytes, pos);
      pos = afterTag;
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0) return undefined;
      if (wire === 0) pos = varint(bytes, pos)[1];
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const [len, start] = varint(bytes, pos);
        const end = start + len;
        if (end > bytes.length) return undefined;
        if (field === 7) hasGraph = true;
        if (field === 14) {
          const entry = readEntry(bytes.subarray(start, end));
          if (entry) metadata[entry[0]] = entry[1];
        }
        pos = end;
      } else return undefined;
      if (pos > bytes.length) return undefined;
    }
  } catch {
    return undefined;
  }
  return { hasGraph, metadata };
}

function readEntry(bytes: Uint8Array): [string, string] | undefined {
  let key = "";
  let value = "";
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, afterTag] = varint(bytes, pos);
    if (tag % 8 !== 2) return undefined;
    const [len, start] = varint(bytes, afterTag);
    const text = textDecoder.decode(bytes.subarray(start, start + len));
    if (tag >>> 3 === 1) key = text;
    else if (tag >>> 3 === 2) value = text;
    pos = start + len;
  }
  return [key, value];
}

function varint(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let factor = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw new RangeError("truncated varint");
    const b = bytes[pos++]!;
    result += (b & 0x7f) * factor;
    if (b < 0x80) return [result, pos];
    factor *= 128;
  }
  throw new RangeError("varint too long");
}
