// Side-by-side benchmark of @assay/math against scikit-learn on identical inputs, in one run.
// Sizes default to a scaled-down version of issue #4's targets; set BENCH_FULL=1 for the full sizes.
// Appends a table to ../RESULTS.md. Usage: pnpm --filter @assay/bench-math bench
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { createRng, crossValPredictProbaParallel, fitPca, knn, knnQuery, selectRows } from "@assay/math";
import { latent } from "./latent.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const tmp = "/tmp/assay-bench-math";
mkdirSync(tmp, { recursive: true });
const full = process.env.BENCH_FULL === "1";
const PY = "/usr/bin/python3";
// BENCH_ONLY=knn,hnsw,pca,lr runs a subset.
const only = new Set((process.env.BENCH_ONLY ?? "knn,hnsw,pca,lr").split(","));
const rows = [];
// BENCH_HNSW='{"M":12,"efConstruction":64,"efSearch":32}' overrides the approximate-search options of the knn/hnsw tasks.
const hnswOpts = process.env.BENCH_HNSW ? { hnsw: JSON.parse(process.env.BENCH_HNSW) } : {};
const hnswLabel = process.env.BENCH_HNSW ? `options ${process.env.BENCH_HNSW}` : "default options";
// BENCH_NNDESCENT='{"neighbors":20}' overrides the NN-descent options of `auto` in the knn/hnsw tasks.
const nndOpts = process.env.BENCH_NNDESCENT ? { nndescent: JSON.parse(process.env.BENCH_NNDESCENT) } : {};
const nndLabel = process.env.BENCH_NNDESCENT ? `options ${process.env.BENCH_NNDESCENT}` : "default options";
/** Lower-effort HNSW parameters (about 2× faster than the defaults; recall@10 0.98 at 200,000×64 on this data). */
const TUNED = { M: 12, efConstruction: 40, efSearch: 24, candidates: 14 };
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

function sk(task, args) {
  return JSON.parse(execFileSync(PY, [`${here}sk.py`, task, JSON.stringify(args)], { encoding: "utf8", maxBuffer: 1 << 26 }));
}
/** Clustered float32 data (Gaussian blobs), like real embeddings. */
function blobs(n, d, centers, seed) {
  const rng = createRng(seed);
  const C = Float64Array.from({ length: centers * d }, () => rng.normal() * 3);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(centers);
    for (let j = 0; j < d; j++) data[i * d + j] = C[c * d + j] + rng.normal();
  }
  return { rows: n, cols: d, data };
}
function save(name, arr) {
  const f = `${tmp}/${name}`;
  writeFileSync(f, Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
  return f;
}
/** Wall time and the RSS growth above the level just before the call (the input already allocated). */
async function time(fn) {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  peakRss = before;
  const t = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { value, seconds, extra: peakRss - before };
}
function sameSets(a, b, n, k) {
  let same = 0;
  for (let i = 0; i < n; i++) {
    const s = new Set(b.subarray(i * k, (i + 1) * k));
    let ok = true;
    for (let c = 0; c < k; c++) if (!s.has(a[i * k + c])) ok = false;
    if (ok) same++;
  }
  return same;
}
function recallAt(a, b, n, k) {
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const s = new Set(b.subarray(i * k, (i + 1) * k));
    for (let c = 0; c < k; c++) if (s.has(a[i * k + c])) hit++;
  }
  return hit / (n * k);
}
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

// 1. kNN k=10: exact vs sklearn brute force, then auto (NN-descent above ~28k rows) and HNSW on the same input.
//    Data: low-intrinsic-dimension (see latent()).
if (only.has("knn")) {
  const n = full ? 200_000 : Number(process.env.BENCH_KNN_N ?? 20_000);
  const X = latent(n, 64, 1);
  const ref = sk("knn", { x: save("knn.f32", X.data), n, dim: 64, k: 10, out: `${tmp}/knn.i32` });
  const skInd = new Int32Array(readFileSync(`${tmp}/knn.i32`).buffer.slice(0));
  const ex = await time(() => knn(X, { k: 10, method: "exact" }));
  const same = sameSets(ex.value.indices, skInd, n, 10);
  rows.push([`kNN exact k=10, ${n}×64`, fmt(ref.seconds), fmt(ex.seconds), `${fmt(ex.seconds / ref.seconds)}×`, `identical neighbour sets: ${same}/${n} rows`]);
  // auto (NN-descent at this size; BENCH_NNDESCENT overrides its options), then HNSW with its defaults
  // (or BENCH_HNSW) and the tuned setting documented in packages/math/README.md.
  for (const [label, opts] of [[nndLabel, { method: "auto", ...nndOpts }], [hnswLabel, { method: "hnsw", ...hnswOpts }], [`options ${JSON.stringify(TUNED)}`, { method: "hnsw", hnsw: TUNED }]]) {
    const hn = await time(() => knn(X, { k: 10, ...opts }));
    rows.push([`kNN ${hn.value.method} k=10, ${n}×64 (${label}${hn.value.method === "hnsw" ? "; shards on worker threads, exact re-rank, refinement" : "; worker threads, exact final distances"})`, fmt(ref.seconds) + " (exact)", fmt(hn.seconds), `${fmt(ref.seconds / hn.seconds)}× faster`, `recall@10 vs sklearn exact: ${recallAt(hn.value.indices, skInd, n, 10).toFixed(4)}`]);
  }
}
// 2. Large kNN graph (auto → NN-descent); recall@10 on 2,000 rows checked by exact search; peak RSS growth
//    (sampled every 50 ms and from the process's maxRSS) relative to the input matrix.
//    BENCH_FULL=1: 1,000,000×128 (input 488 MiB). Run it alone (BENCH_ONLY=hnsw) so maxRSS is this task's.
if (only.has("hnsw")) {
  const n = full ? 1_000_000 : Number(process.env.BENCH_HNSW_N ?? 100_000);
  const X = latent(n, 128, 2);
  const inputBytes = X.data.byteLength;
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const hn = await time(() => knn(X, { k: 10, method: "auto", ...nndOpts }));
  const maxRssGrowth = process.resourceUsage().maxRSS * 1024 - rssBefore;
  const growth = Math.max(hn.extra, maxRssGrowth);
  const rng = createRng(3);
  const sample = Int32Array.from({ length: 2000 }, () => rng.int(n));
  const exact = await knnQuery(X, selectRows(X, sample), { k: 11, method: "exact" });
  let hit = 0;
  for (let s = 0; s < 2000; s++) {
    const i = sample[s];
    const truth = new Set(Array.from(exact.indices.subarray(s * 11, s * 11 + 11)).filter((j) => j !== i).slice(0, 10));
    for (let c = 0; c < 10; c++) if (truth.has(hn.value.indices[i * 10 + c])) hit++;
  }
  rows.push([`kNN graph auto (${hn.value.method}) k=10, ${n}×128, ${nndLabel}`, "—", fmt(hn.seconds), "—", `recall@10 on 2,000 exact rows: ${(hit / 20000).toFixed(4)}; peak RSS growth ${(growth / inputBytes).toFixed(2)}× the ${(inputBytes / 2 ** 20).toFixed(0)} MiB input (total peak ${((rssBefore + growth) / inputBytes).toFixed(2)}×)`]);
}
// 3. PCA N×128 → 64.
if (only.has("pca")) {
  const n = full ? 1_000_000 : Number(process.env.BENCH_PCA_N ?? 200_000);
  const X = blobs(n, 128, 30, 4);
  const ref = sk("pca", { x: save("pca.f32", X.data), n, dim: 128, m: 64 });
  const inputBytes = X.data.byteLength;
  const r = await time(() => {
    const model = fitPca(X, { components: 64 });
    return { model, Z: model.transform(X) };
  });
  let worst = 0;
  for (let c = 0; c < 64; c++) worst = Math.max(worst, Math.abs(r.value.model.explainedVariance[c] - ref.ev[c]) / ref.ev[c]);
  rows.push([`PCA ${n}×128 → 64 (fit + transform; sklearn default solver)`, fmt(ref.seconds), fmt(r.seconds), `${fmt(r.seconds / ref.seconds)}×`, `max rel. diff of explained variance vs sklearn svd_solver="full": ${worst.toExponential(1)}; peak RSS growth ${(r.extra / inputBytes).toFixed(2)}× the ${(inputBytes / 2 ** 20).toFixed(0)} MiB input (the projection alone is 0.5×)`]);
}
// 4. Logistic regression 5-fold CV pred_probs, 20,000×64, 10 classes.
if (only.has("lr")) {
  const n = Number(process.env.BENCH_LR_N ?? 20_000);
  const X = blobs(n, 64, 10, 5);
  for (let t = 0; t < X.data.length; t++) X.data[t] /= 3; // unit-scale features so both solvers converge in 100 iterations
  const rng = createRng(6);
  // labels: nearest of 10 random directions, 20% noise
  const W = Float64Array.from({ length: 10 * 64 }, () => rng.normal());
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let c = 0; c < 10; c++) {
      let s = 0;
      for (let j = 0; j < 64; j++) s += W[c * 64 + j] * X.data[i * 64 + j];
      if (s > best) { best = s; y[i] = c; }
    }
    if (rng.random() < 0.2) y[i] = rng.int(10);
  }
  const ref = sk("lr", { x: save("lr.f32", X.data), y: save("lr.i32", y), n, dim: 64, out: `${tmp}/lr.out.f32` });
  const skP = new Float32Array(readFileSync(`${tmp}/lr.out.f32`).buffer.slice(0));
  const r = await time(() => crossValPredictProbaParallel(X, y, { folds: 5, seed: 0 }));
  let worst = 0;
  for (let t = 0; t < skP.length; t++) worst = Math.max(worst, Math.abs(skP[t] - r.value.data[t]));
  rows.push([`Logistic regression 5-fold CV pred_probs, ${n}×64, 10 classes`, fmt(ref.seconds), fmt(r.seconds), `${fmt(r.seconds / ref.seconds)}×`, `max |Δp| vs sklearn ${worst.toExponential(1)}`]);
}
clearInterval(sampler);

const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const table = [
  "",
  `## @assay/math vs scikit-learn 1.2.1 (${new Date().toISOString().slice(0, 10)})`,
  "",
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ` +
    `load average at the end ${load} (shared machine). ${full ? "Full issue sizes." : "Scaled-down sizes (BENCH_FULL=1 for the issue's sizes)."} Tasks: ${[...only].join(", ")}. ` +
    "Same float32 inputs for both sides; seconds are wall time.",
  "",
  "| task | sklearn s | assay s | ratio | quality |",
  "| --- | ---: | ---: | ---: | --- |",
  ...rows.map((r) => `| ${r.join(" | ")} |`),
  "",
].join("\n");
console.log(table);
if (process.env.BENCH_DRY !== "1") appendFileSync(`${here}../RESULTS.md`, table);
