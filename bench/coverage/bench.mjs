// Adaptive coverage (per-class analysis, DataEval `Coverage` defaults: k = 20, percent 0.01) on synthetic
// n×128 embeddings of low intrinsic dimension (bench/math/latent.mjs: 10 classes in a 16-d latent space,
// random linear map, tanh, noise — like real embeddings; isotropic Gaussian blobs would make kNN meaningless).
//
// Usage: node bench.mjs [n ...] [--d=128] [--nndescent=JSON] [--plain] [--record]     (default n: 20000 100000)
//   Input: on a SharedArrayBuffer (kernelFloat32Array, as @assay/io's .npy loading gives), so NN-descent's
//   exact re-scoring runs on the worker threads; --plain: an ordinary Float32Array (re-scored on the
//   calling thread). Either way NN-descent searches its own 16-bit copy of the rows (0.5× the input).
//   kNN: exact up to 30,000 rows, else @assay/math's NN-descent graph (worker threads, exact final
//   distances) — what `coverageAnalysis(..., { search: "approximate" })` runs.
//   Peak memory: the largest of a 50 ms RSS sampler and the process maxRSS, minus the RSS once the input
//   exists. Run one size per process for a clean maxRSS (e.g. `node bench.mjs 1000000`).
//   Quality: for 500 evenly spaced rows, the critical radius is recomputed by exact search; "exact radii"
//   is the share that match to float32.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { coverageAnalysis } from "@assay/coverage";
import { kernelFloat32Array, knn, knnQuery, selectRows } from "@assay/math";
import { latent } from "../math/latent.mjs";

const args = process.argv.slice(2);
const record = args.includes("--record");
const plain = args.includes("--plain");
const dArg = args.find((a) => a.startsWith("--d="));
const d = dArg ? Number(dArg.slice(4)) : 128;
const nArg = args.find((a) => a.startsWith("--nndescent="));
const nndescent = nArg ? JSON.parse(nArg.slice(12)) : undefined; // e.g. --nndescent='{"neighbors":28,"maxCandidates":16}'
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
if (sizes.length === 0) sizes.push(20000, 100000);
const k = 20;
const HEADING = "## Coverage (adaptive, low-intrinsic-dimension embeddings, @assay/coverage)";

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
sampler.unref();

const rows = [];
for (const n of sizes) {
  const emb = latent(n, d, 42, 16, 10, plain ? undefined : kernelFloat32Array);
  const labels = emb.labels;
  const inputBytes = n * d * 4;
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  peak = rss0;
  const t0 = performance.now();
  const graph = await knn(emb, { k, metric: "euclidean", method: n <= 30000 ? "exact" : "nndescent", ...(nndescent ? { nndescent } : {}) });
  const t1 = performance.now();
  const graphGrowth = Math.max(peak, process.resourceUsage().maxRSS * 1024, process.memoryUsage().rss) - rss0;
  const a = await coverageAnalysis(emb, labels, { knnGraph: graph });
  const t2 = performance.now();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const growth = Math.max(peak, maxRss, process.memoryUsage().rss) - rss0;
  // Exact check of the critical radii on a sample (ρ_i = k-th nearest other row; radii are on the rescaled data).
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of emb.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = lo >= 0 && hi <= 1 ? 1 : hi - lo;
  const ns = Math.min(500, n);
  const sample = Int32Array.from({ length: ns }, (_, t) => Math.floor((t * n) / ns));
  const ex = await knnQuery(emb, selectRows(emb, sample), { k: k + 1, method: "exact" });
  let same = 0;
  for (let t = 0; t < ns; t++) {
    const i = sample[t];
    const others = [];
    for (let q = 0; q < k + 1; q++) if (ex.indices[t * (k + 1) + q] !== i) others.push(ex.distances[t * (k + 1) + q]);
    const truth = Math.fround(others[k - 1] / scale);
    if (Math.abs(truth - a.criticalValueRadii[i]) <= 2e-6 * truth) same++;
  }
  const row = {
    n,
    d,
    knn: graph.method + (nndescent ? ` ${JSON.stringify(nndescent)}` : "") + (n > 30000 ? (plain ? ", plain input" : ", shared input") : ""),
    knnSeconds: ((t1 - t0) / 1000).toFixed(1),
    analysisSeconds: ((t2 - t1) / 1000).toFixed(1),
    totalSeconds: ((t2 - t0) / 1000).toFixed(1),
    inputMiB: (inputBytes / 2 ** 20).toFixed(0),
    peakGrowthMiB: (growth / 2 ** 20).toFixed(0),
    growthOverInput: (growth / inputBytes).toFixed(2),
    graphGrowthOverInput: (graphGrowth / inputBytes).toFixed(2),
    uncovered: a.uncoveredIndices.length,
    exactRadii: `${same}/${ns}`,
    meanIsotropy: (a.rows.reduce((s, r) => s + (r.isotropy ?? 0), 0) / a.rows.length).toFixed(3),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}

if (record) {
  const path = new URL("../RESULTS.md", import.meta.url);
  const date = new Date().toISOString().slice(0, 10);
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  let text = "";
  if (!existsSync(path) || !readFileSync(path, "utf8").includes(HEADING)) {
    text += `\n${HEADING}\n\n` +
      `bench/coverage: 10 classes in a 16-d latent space → random linear map → tanh → + 0.01 noise, d columns; k = 20, percent 0.01, ` +
      `per-class dispersion/isotropy/near-dup. kNN: exact up to 30k rows, NN-descent beyond (worker threads, exact final distances). Machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}. ` +
      `"growth/input" = (peak RSS − RSS with the input allocated) / input bytes; "exact radii" = sampled critical radii equal to an exact search's.\n\n` +
      `| date | n | d | kNN | kNN s | analysis s | total s | input MiB | growth MiB | growth/input | uncovered | exact radii | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n`;
  }
  for (const r of rows) text += `| ${date} | ${r.n} | ${r.d} | ${r.knn} | ${r.knnSeconds} | ${r.analysisSeconds} | ${r.totalSeconds} | ${r.inputMiB} | ${r.peakGrowthMiB} | ${r.growthOverInput} | ${r.uncovered} | ${r.exactRadii} | ${load} |\n`;
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  const at = existing.indexOf(HEADING);
  if (at < 0) appendFileSync(path, text);
  else {
    // After the last row of the section's table.
    const lines = existing.slice(at).split("\n");
    let last = 0;
    for (let i = 0; i < lines.length && !(i > 0 && lines[i].startsWith("## ")); i++) if (lines[i].startsWith("| 20")) last = i;
    const cut = at + lines.slice(0, last + 1).join("\n").length + 1;
    writeFileSync(path, existing.slice(0, cut) + text + existing.slice(cut));
  }
}
