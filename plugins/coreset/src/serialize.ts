/**
 * Save and load a {@link CoresetIndex} so a cleaning session can stop and resume exactly where it was
 * (scores, seen marks, frozen preprocessing, frozen ridges and pending Sherman–Morrison corrections).
 *
 * Format `assay-coreset` version 1 (little-endian):
 *
 * | bytes | content |
 * |---|---|
 * | 0–7 | magic `ASYCSET1` (ASCII) |
 * | 8–11 | uint32 format version (1) |
 * | 12–15 | uint32 header length H in bytes |
 * | 16–16+H | UTF-8 JSON header: `format`, `version`, `classes`, `settings`, `n`, `p`, `inputDim`, `dim`, per-class `W`/`n`/`lambda`/`corrections`, and `sections` (`name`, `dtype`, `length`, `offset`) |
 * | then | zero padding to a multiple of 8, then the binary sections, each starting at `offset` bytes after the padding (multiples of 8) |
 *
 * Sections: `mean`, `scale`, `projection` (optional) (float64), `A` (float64 n×p augmented rows),
 * `labels` (int32), `weights`, `ids` (float64), `live`, `seen` (uint8), `Q` (float64 n×K), and per class
 * `G.c`, `linv.c` (float64 p×p), `corrU.c` (float64 corrections×p), `corrCoef.c` (float64).
 * @module
 */
import { AssayError } from "@assay/core";
import { CoresetIndex, type IndexSettings } from "./coreset-index.js";
import { PLUGIN } from "./options.js";

const MAGIC = "ASYCSET1";
/** Current version of the saved-index format. */
export const FORMAT_VERSION = 1;

type Dtype = "f64" | "f32" | "i32" | "u8";
interface SectionInfo {
  name: string;
  dtype: Dtype;
  length: number;
  offset: number;
}
type Typed = Float64Array | Float32Array | Int32Array | Uint8Array;

const BYTES: Record<Dtype, number> = { f64: 8, f32: 4, i32: 4, u8: 1 };

function dtypeOf(a: Typed): Dtype {
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Int32Array) return "i32";
  return "u8";
}

function corrupt(message: string): AssayError {
  return new AssayError("INVALID_INPUT", `coreset: cannot load the saved index: ${message}`, { plugin: PLUGIN, stage: "load" });
}

/** Serialise an index (with no pending deferred edits) to bytes. */
export function saveIndex(index: CoresetIndex): Uint8Array {
  if (index.pendingCount > 0) {
    throw new AssayError("INVALID_INPUT", `coreset: ${index.pendingCount} deferred edits are pending; call applyPending() before saving`, { plugin: PLUGIN, stage: "save" });
  }
  index.sync();
  const n = index.size;
  const p = index.p;
  const K = index.classes.length;
  const pre = index.preprocessing;
  const parts: [string, Typed][] = [
    ["mean", pre.mean],
    ["scale", pre.scale],
  ];
  if (pre.projection !== null) parts.push(["projection", pre.projection]);
  parts.push(
    ["A", index.A.subarray(0, n * p)],
    ["labels", index.labels.subarray(0, n)],
    ["weights", index.weights.subarray(0, n)],
    ["ids", index.ids.subarray(0, n)],
    ["live", index.live.subarray(0, n)],
    ["seen", index.seen.subarray(0, n)],
    ["Q", index.qData.subarray(0, n * K)],
  );
  index.stats.forEach((st, c) => {
    parts.push([`G.${c}`, st.G]);
    if (st.linv !== null) parts.push([`linv.${c}`, st.linv]);
    const u = new Float64Array(st.corrU.length * p);
    st.corrU.forEach((v, k) => u.set(v, k * p));
    parts.push([`corrU.${c}`, u], [`corrCoef.${c}`, Float64Array.from(st.corrCoef)]);
  });
  const sections: SectionInfo[] = [];
  let offset = 0;
  for (const [name, arr] of parts) {
    sections.push({ name, dtype: dtypeOf(arr), length: arr.length, offset });
    offset += Math.ceil(arr.byteLength / 8) * 8;
  }
  const settings = index.settings();
  const header = {
    format: "assay-coreset",
    version: FORMAT_VERSION,
    classes: index.classes,
    settings: { ...settings, maxCorrections: Number.isFinite(settings.maxCorrections) ? settings.maxCorrections : null },
    n,
    p,
    inputDim: pre.inputDim,
    dim: pre.dim,
    perClass: index.stats.map((s) => ({ W: s.W, n: s.n, lambda: Number.isNaN(s.lambda) ? null : s.lambda, factored: s.linv !== null, corrections: s.corrU.length })),
    sections,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((16 + headerBytes.length) / 8) * 8;
  const out = new Uint8Array(dataStart + offset);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  for (let s = 0; s < parts.length; s++) {
    const arr = parts[s]![1];
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), dataStart + sections[s]!.offset);
  }
  return out;
}

/** Restore an index saved by {@link saveIndex}. Corrupt or foreign bytes throw `INVALID_INPUT`. */
export function loadIndex(bytes: Uint8Array): CoresetIndex {
  if (bytes.length < 16) throw corrupt("too short");
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) throw corrupt("not an assay coreset file (bad magic)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw corrupt(`format version ${version} is not supported (this build reads version ${FORMAT_VERSION})`);
  const hlen = view.getUint32(12, true);
  if (16 + hlen > bytes.length) throw corrupt("truncated header");
  // biome-ignore lint: parsed JSON, validated below
  let header: any;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen)));
  } catch (cause) {
    throw corrupt(`header is not JSON (${String(cause)})`);
  }
  if (header?.format !== "assay-coreset" || !Array.isArray(header.sections) || !Array.isArray(header.classes)) throw corrupt("header is not an assay-coreset header");
  const dataStart = Math.ceil((16 + hlen) / 8) * 8;
  const sections = new Map<string, Typed>();
  for (const s of header.sections as SectionInfo[]) {
    const size = BYTES[s.dtype];
    if (size === undefined) throw corrupt(`section ${s.name} has unknown dtype ${String(s.dtype)}`);
    const start = dataStart + s.offset;
    const end = start + s.length * size;
    if (!(s.offset >= 0) || end > bytes.length) throw corrupt(`section ${s.name} runs past the end of the data`);
    const copy = bytes.slice(start, end).buffer;
    const arr = s.dtype === "f64" ? new Float64Array(copy) : s.dtype === "f32" ? new Float32Array(copy) : s.dtype === "i32" ? new Int32Array(copy) : new Uint8Array(copy);
    sections.set(s.name, arr);
  }
  const need = <T extends Typed>(name: string, length: number): T => {
    const a = sections.get(name);
    if (a === undefined) throw corrupt(`section ${name} is missing`);
    if (a.length !== length) throw corrupt(`section ${name} has ${a.length} values, expected ${length}`);
    return a as T;
  };
  const n: number = header.n;
  const p: number = header.p;
  const K: number = header.classes.length;
  const inputDim: number = header.inputDim;
  const dim: number = header.dim;
  if (!Number.isInteger(n) || !Number.isInteger(p) || p !== dim + 1) throw corrupt("inconsistent dimensions");
  const projection = sections.has("projection") ? need<Float64Array>("projection", dim * inputDim) : null;
  const pre = { inputDim, mean: need<Float64Array>("mean", inputDim), scale: need<Float64Array>("scale", inputDim), projection, dim };
  const st = header.settings;
  const settings: IndexSettings = { ...st, maxCorrections: st.maxCorrections ?? Number.POSITIVE_INFINITY };
  return CoresetIndex.restore(header.classes, pre, settings, (index) => {
    index.n = n;
    index.cap = n;
    index.A = need<Float64Array>("A", n * p);
    index.labels = need<Int32Array>("labels", n);
    index.weights = need<Float64Array>("weights", n);
    index.ids = need<Float64Array>("ids", n);
    index.idSet = new Set(index.ids);
    index.live = need<Uint8Array>("live", n);
    index.seen = need<Uint8Array>("seen", n);
    index.qData = need<Float64Array>("Q", n * K);
    index.impData = new Float64Array(n);
    index.outData = new Float64Array(n);
    index.lsData = new Float64Array(n);
    index.levData = new Float64Array(n);
    index.sugData = new Int32Array(n);
    for (let c = 0; c < K; c++) {
      const info = header.perClass[c];
      const s = index.stats[c]!;
      s.G = need<Float64Array>(`G.${c}`, p * p);
      s.W = info.W;
      s.n = info.n;
      s.lambda = info.lambda ?? Number.NaN;
      s.linv = info.factored ? need<Float64Array>(`linv.${c}`, p * p) : null;
      const u = need<Float64Array>(`corrU.${c}`, info.corrections * p);
      s.corrU = Array.from({ length: info.corrections }, (_, k) => u.slice(k * p, (k + 1) * p));
      s.corrCoef = Array.from(need<Float64Array>(`corrCoef.${c}`, info.corrections));
    }
    for (let i = 0; i < n; i++) if (index.labels[i]! < 0 || index.labels[i]! >= K) throw corrupt(`row ${i} has label ${index.labels[i]} outside the ${K} classes`);
  });
}
