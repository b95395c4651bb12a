// Side-by-side bench: reads the .npy files written by cleanlab_ref.py (same bytes for both sides),
// times @assay/label-issues, checks the issue sets are identical, prints a RESULTS.md row.
// Usage: node bench.mjs <dataDir> <N> <K>
// pred_probs is loaded as the README recommends for large inputs: into a kernel-resident array (@assay/math
// kernelFloat32Array, as @assay/io's readNpy does for float32), so the WebAssembly kernels read it in place.
// Loading (and its first touch of the pages) is not timed, as cleanlab's side times its calls on a matrix it
// has just computed; only the calls are timed. KERNEL_RESIDENT=0 loads a plain view of the file bytes instead.
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { findLabelIssues, findLabelIssuesChunked, getLabelQualityScores } from "../../plugins/label-issues/dist/index.js";
import { npyRowChunks } from "../../packages/io/dist/index.js";
import { kernelFloat32Array } from "../../packages/math/dist/index.js";

function readNpy(file, resident = false) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString("latin1");
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").filter((s) => s.trim()).map(Number);
  const start = 10 + headerLen;
  const Ctor = { "<f4": Float32Array, "<f8": Float64Array, "<i4": Int32Array }[descr];
  if (!Ctor) throw new Error(`unsupported dtype ${descr} in ${file}`);
  const offset = buf.byteOffset + start;
  const length = (buf.byteLength - start) / Ctor.BYTES_PER_ELEMENT;
  if (resident && Ctor === Float32Array) {
    const data = kernelFloat32Array(length);
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(buf.subarray(start));
    return { data, shape };
  }
  // view the file bytes in place (npy headers keep the data 64-byte aligned); copy only if misaligned
  const data = offset % Ctor.BYTES_PER_ELEMENT === 0 ? new Ctor(buf.buffer, offset, length) : new Ctor(buf.buffer.slice(offset, offset + length * Ctor.BYTES_PER_ELEMENT));
  return { data, shape };
}

const [dir = ".", nArg = "1000000", kArg = "100"] = process.argv.slice(2);
const tag = `${nArg}_${kArg}`;
const P = readNpy(path.join(dir, `P_${tag}.npy`), process.env.KERNEL_RESIDENT !== "0");
const labels = readNpy(path.join(dir, `labels_${tag}.npy`)).data;
const ref = JSON.parse(fs.readFileSync(path.join(dir, `ref_${tag}.json`), "utf8"));
const pm = { rows: P.shape[0], cols: P.shape[1], data: P.data };
const rows = [];
globalThis.gc?.();
const baseline = process.memoryUsage().rss; // process + loaded matrix and labels
let peak = baseline;
const track = () => (peak = Math.max(peak, process.memoryUsage().rss));
for (const mode of (process.env.MODES ?? "prune_by_noise_rate,both").split(",")) {
  const t0 = performance.now();
  const mask = findLabelIssues(labels, pm, { filterBy: mode });
  const ms = performance.now() - t0;
  track();
  const ours = [];
  mask.forEach((v, i) => v && ours.push(i));
  const theirs = readNpy(path.join(dir, `mask_${mode}_${tag}.npy`)).data;
  const same = ours.length === theirs.length && ours.every((v, i) => v === theirs[i]);
  rows.push([`find_label_issues ${mode}`, ms / 1000, ref.times[mode], same ? `identical (${ours.length})` : `DIFFERENT (${ours.length} vs ${theirs.length})`]);
}
for (const method of ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]) {
  const times = [];
  let s;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    s = getLabelQualityScores(labels, pm, { method });
    times.push(performance.now() - t0);
    track();
  }
  let note = "";
  const refFile = path.join(dir, `scores_${method}_${tag}.npy`);
  if (fs.existsSync(refFile)) {
    const theirs = readNpy(refFile).data;
    let md = 0;
    for (let i = 0; i < s.length; i++) md = Math.max(md, Math.abs(s[i] - theirs[i]));
    note = `max |Δ| vs cleanlab ${md.toExponential(1)}`;
  }
  rows.push([`quality score ${method} (best of 3)`, Math.min(...times) / 1000, ref.times[method], note]);
}
// chunked (low-memory) path on the same rows: 65,536-row slices read from the .npy file on every pass
for (const mode of ["prune_by_noise_rate"]) {
  const t0 = performance.now();
  const r = await findLabelIssuesChunked(labels, npyRowChunks(path.join(dir, `P_${tag}.npy`), { rowsPerChunk: 65536, reuseBuffer: true }), { numClasses: pm.cols, filterBy: mode });
  const ms = performance.now() - t0;
  track();
  const mask = findLabelIssues(labels, pm, { filterBy: mode });
  let diff = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== r.mask[i]) diff++;
  rows.push([`find_label_issues ${mode}, chunked from .npy (${r.passes} passes)`, ms / 1000, ref.times[mode], diff === 0 ? `identical to in-memory (tie fallbacks ${r.tieFallbacks})` : `${diff} rows differ (tie fallbacks ${r.tieFallbacks})`]);
}
const mb = (b) => (b / 2 ** 20).toFixed(0);
console.log(
  `N=${pm.rows}, K=${pm.cols}, float32 pred_probs ${mb(P.data.byteLength)} MB; RSS after loading ${mb(baseline)} MB, peak ${mb(peak)} MB ` +
    `(working memory ${mb(peak - baseline)} MB = ${((peak - baseline) / P.data.byteLength).toFixed(2)}× the matrix); cleanlab peak ${ref.maxrss_mb.toFixed(0)} MB`,
);
console.log(`load average (1, 5, 15 min) at the end: ${os.loadavg().map((v) => v.toFixed(2)).join(" ")}; cleanlab's run: ${(ref.loadavg ?? []).map((v) => v.toFixed(2)).join(" ")}`);
console.log("| step | @assay/label-issues (s) | cleanlab n_jobs=1 (s) | speed-up | issue sets |");
console.log("|---|---|---|---|---|");
for (const [name, ours, theirs, note] of rows) console.log(`| ${name} | ${ours.toFixed(2)} | ${theirs.toFixed(2)} | ${(theirs / ours).toFixed(1)}× | ${note} |`);
