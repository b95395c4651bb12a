// src/abl.tmp.ts
import { join } from "node:path";

// src/cleaning.ts
import { createRegistry, pipeline } from "@assay/core";
import { clusterer, plugin as clustererPlugin } from "@assay/clusterer";
import { duplicates, plugin as duplicatesPlugin } from "@assay/duplicates";
import { invalidBoxes, loadDataset, plugin as ioPlugin } from "@assay/io";
import { knnGraph, plugin as labelIssuesPlugin } from "@assay/label-issues";
import { imageStats, outliers, plugin as linterPlugin } from "@assay/linter";

// src/spectrum.ts
import { AssayError, artifacts, defineExtractor, z } from "@assay/core";
import { mapImages, resizeGray } from "@assay/io";

// src/numerics-pending.ts
function dftTables(side) {
  const cos = new Float64Array(side * side);
  const sin = new Float64Array(side * side);
  for (let u = 0; u < side; u++) {
    for (let x = 0; x < side; x++) {
      const angle = 2 * Math.PI * (u * x % side) / side;
      cos[u * side + x] = Math.cos(angle);
      sin[u * side + x] = Math.sin(angle);
    }
  }
  return { side, cos, sin };
}
function lowFrequencyCount(frequencies) {
  return frequencies * (2 * frequencies - 1);
}
function lowFrequencyMagnitudes(image, tables, frequencies, out) {
  const S = tables.side;
  const F = frequencies;
  const V = 2 * F - 1;
  let mean = 0;
  for (let i = 0; i < S * S; i++) mean += image[i];
  mean /= S * S;
  const re = new Float64Array(S * V);
  const im = new Float64Array(S * V);
  for (let y = 0; y < S; y++) {
    for (let vi = 0; vi < V; vi++) {
      const v = (vi - (F - 1) + S) % S;
      let a = 0;
      let b = 0;
      for (let x = 0; x < S; x++) {
        const p = image[y * S + x] - mean;
        a += p * tables.cos[v * S + x];
        b -= p * tables.sin[v * S + x];
      }
      re[y * V + vi] = a;
      im[y * V + vi] = b;
    }
  }
  let sumSquares = 0;
  for (let u = 0; u < F; u++) {
    for (let vi = 0; vi < V; vi++) {
      let a = 0;
      let b = 0;
      for (let y = 0; y < S; y++) {
        const c = tables.cos[u * S + y];
        const s = tables.sin[u * S + y];
        const pr = re[y * V + vi];
        const pi = im[y * V + vi];
        a += pr * c + pi * s;
        b += pi * c - pr * s;
      }
      const magnitude = Math.hypot(a, b);
      out[u * V + vi] = magnitude;
      sumSquares += magnitude * magnitude;
    }
  }
  return Math.sqrt(sumSquares);
}

// src/spectrum.ts
var fourierEmbedding = defineExtractor({
  name: "fourier-embedding",
  version: "1",
  plugin: "example-data-cleaning",
  description: "Shift/brightness/contrast-invariant embedding: normalised low-frequency 2-D DFT magnitudes of a grayscale thumbnail",
  options: z.object({
    /** Thumbnail side the image is resized to before the transform (default 28, Fashion-MNIST's size). */
    side: z.number().int().min(4).max(256).default(28),
    /** Frequencies kept per axis, F: the embedding has F·(2F − 1) columns (default 8 → 120). */
    frequencies: z.number().int().min(2).max(64).default(8)
  }),
  needs: [],
  provides: artifacts.embeddings,
  async run(ctx, _inputs, options) {
    const { side, frequencies } = options;
    if (frequencies > side / 2) {
      throw new AssayError("INVALID_OPTION", `fourier-embedding: frequencies (${frequencies}) must be at most side / 2 (${side / 2})`, {
        node: "fourier-embedding",
        details: { option: "frequencies" }
      });
    }
    const n = ctx.dataset.size;
    const cols = lowFrequencyCount(frequencies);
    const data = new Float32Array(n * cols);
    const tables = dftTables(side);
    const { failures } = await mapImages(
      ctx.dataset,
      (image, i) => {
        const row = data.subarray(i * cols, (i + 1) * cols);
        const norm = lowFrequencyMagnitudes(resizeGray(image, side, side), tables, frequencies, row);
        if (norm > 0) for (let j = 0; j < cols; j++) row[j] = row[j] / norm;
      },
      { concurrency: ctx.concurrency, signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) }
    );
    if (failures.length > 0) ctx.warn(`${failures.length} image(s) could not be decoded; their fourier-embedding rows are zero`);
    return { rows: n, cols, data };
  }
});

// src/cleaning.ts
var DEFAULT_STATS = [
  "width",
  "height",
  "channels",
  "size",
  "aspect_ratio",
  "depth",
  "distance_center",
  "distance_edge",
  "mean",
  "std",
  "var",
  "entropy",
  "missing",
  "zeros",
  "brightness",
  "darkness",
  "contrast",
  "sharpness"
];
function cleaningRegistry() {
  return createRegistry().use(ioPlugin).use(linterPlugin).use(duplicatesPlugin).use(clustererPlugin).use(labelIssuesPlugin);
}
async function runCleaning(path, options = {}) {
  const started = performance.now();
  const dataset = await loadDataset(path, {
    ...options.format ? { format: options.format } : {},
    ...options.classes ? { classes: options.classes } : {}
  });
  const detection = dataset.task === "detection";
  const near = options.imageNearDuplicates ?? !detection;
  const flow = pipeline(dataset, { registry: cleaningRegistry() });
  if (detection) flow.use(invalidBoxes());
  const report = await flow.use(
    imageStats(),
    outliers({ stats: [...options.stats ?? DEFAULT_STATS], level: options.level ?? "both" }),
    fourierEmbedding(),
    knnGraph({ k: options.k ?? 10, metric: "euclidean" }),
    duplicates(near ? { hashes: options.hashes ?? ["phash"], embeddingDistance: options.embeddingDistance ?? 0.064 } : { hashes: [] }),
    clusterer({ outlierThreshold: options.clusterOutlierThreshold ?? 3.5 })
  ).run(options.concurrency === void 0 ? {} : { concurrency: options.concurrency });
  const rows = cleaningTable(dataset, report);
  const counts = {};
  for (const f of report.findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
  return { dataset, report, rows, counts, durationMs: performance.now() - started };
}
function splitNames(dataset) {
  const out = new Array(dataset.size).fill("");
  for (const [name, rows] of Object.entries(dataset.splits)) for (const r2 of rows) out[r2] = name;
  return out;
}
function keeper(members, split) {
  return members.find((m) => split[m] === "train") ?? members[0];
}
var fmt = (x) => Number.isInteger(x) ? String(x) : x.toPrecision(4);
function cleaningTable(dataset, report) {
  const split = splitNames(dataset);
  const unreadable = new Set(report.findings.filter((f) => f.type === "unreadable_image").map((f) => f.indices[0]));
  const rows = /* @__PURE__ */ new Map();
  const add = (index, reason) => {
    let row = rows.get(index);
    if (!row) {
      const label = dataset.labels[index];
      row = { index, id: dataset.ids[index], split: split[index], label: label >= 0 ? dataset.classes[label] ?? String(label) : "", action: "review", reasons: [] };
      rows.set(index, row);
    }
    if (row.reasons.some((r2) => r2.type === reason.type && r2.detail === reason.detail)) return;
    row.reasons.push(reason);
    if (reason.action === "drop") row.action = "drop";
  };
  const score = (f) => f.score === void 0 ? null : f.score;
  const id = (i) => dataset.ids[i];
  const pixels = (f) => {
    const methods = f.data?.methods ?? [];
    return methods.includes("file") ? f.indices : f.indices.filter((i) => !unreadable.has(i));
  };
  for (const f of report.findings) {
    switch (f.type) {
      case "unreadable_image":
        add(f.indices[0], { type: f.type, score: null, action: "drop", detail: String(f.data?.reason ?? "cannot be decoded").replace(/^cannot decode image .+?\.[a-z]{3,4}: /i, "") });
        break;
      case "exact_duplicate":
      case "near_duplicate":
      case "cluster_duplicate": {
        const members = pixels(f);
        if (members.length < 2) break;
        const kept = keeper(members, split);
        const methods = f.data?.methods?.join("+");
        for (const m of members) {
          if (m === kept) continue;
          add(m, { type: f.type, score: score(f), action: f.type === "exact_duplicate" ? "drop" : "review", detail: `copy of ${id(kept)}${methods ? ` (${methods})` : ""}` });
        }
        break;
      }
      case "leakage": {
        const box = f.data?.level === "target";
        const members = box ? f.indices : pixels(f);
        if (members.length < 2) break;
        const kept = keeper(members, split);
        const exact = f.data?.dupType === "exact";
        for (const m of members) {
          if (split[m] === split[kept]) continue;
          if (box) add(m, { type: "box_leakage", score: score(f), action: "review", detail: `a box also in ${split[kept]} ${id(kept)}` });
          else add(m, { type: f.type, score: score(f), action: exact ? "drop" : "review", detail: `${split[m]} copy of ${id(kept)} in ${split[kept]} (${exact ? "exact" : "near"})` });
        }
        break;
      }
      case "box_duplicate": {
        const targets = f.data?.targets ?? [];
        const kept = f.indices.includes(keeper(f.indices, split)) ? keeper(f.indices, split) : f.indices[0];
        const detail = targets.length > 0 ? `${targets.length} identical boxes (${f.data?.dupType})` : "duplicate box";
        for (const m of f.indices) if (m !== kept) add(m, { type: f.type, score: score(f), action: "review", detail: `${detail}, kept in ${id(kept)}` });
        break;
      }
      case "outlier":
      case "box_outlier": {
        const stats = f.data?.stats ?? [];
        const box = f.type === "box_outlier" ? `box ${f.data?.target}: ` : "";
        add(f.indices[0], { type: f.type, score: score(f), action: "review", detail: box + stats.map((s) => `${s.stat} ${s.side} (${fmt(s.value)})`).join(", ") });
        break;
      }
      case "degenerate_box":
      case "box_out_of_bounds":
        add(f.indices[0], { type: f.type, score: score(f), action: "review", detail: `box ${f.data?.boxIndex} ${f.type === "degenerate_box" ? "has no area" : `extends ${fmt(f.score ?? 0)} px outside the image`}` });
        break;
      case "invalid_box":
        add(f.indices[0], { type: f.type, score: null, action: "review", detail: `box ${f.data?.target} is empty or outside the image` });
        break;
      case "cluster_outlier":
        add(f.indices[0], { type: f.type, score: score(f), action: "review", detail: `far from its cluster's centre (z ${fmt(f.score ?? 0)})` });
        break;
      default:
        break;
    }
  }
  return [...rows.values()].sort((a, b) => a.action === b.action ? a.index - b.index : a.action === "drop" ? -1 : 1);
}

// src/abl.tmp.ts
var r = await runCleaning(join(process.cwd(), "../data/fashion-sample"), { clusterOutlierThreshold: 2.5 });
console.log(JSON.stringify(r.report.results.clusterer.summary));
for (const f of r.report.findings.filter((x) => x.type === "cluster_outlier")) console.log(f.ids[0], f.score?.toFixed(2));
