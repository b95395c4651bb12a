// Adaptive coverage (per-class analysis) on synthetic n×128 embeddings: a 10-class Gaussian mixture.
// Usage: node bench.mjs [n ...]   (default 20000 100000). Appends rows to ../RESULTS.md with --record.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { coverageAnalysis } from "@assay/coverage";
import { createRng, knn } from "@assay/math";

const args = process.argv.slice(2);
const record = args.includes("--record");
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
if (sizes.length === 0) sizes.push(20000, 100000);
const d = 128;
const classes = 10;
const hnsw = { M: 12, efConstruction: 64, efSearch: 48 };

function mixture(n) {
  const rng = createRng(42);
  const centres = Float64Array.from({ length: classes * d }, () => 3 * rng.normal());
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c * d + j] + rng.normal();
  }
  return { emb: { rows: n, cols: d, data }, labels };
}

const rows = [];
for (const n of sizes) {
  const { emb, labels } = mixture(n);
  const inputMiB = (n * d * 4) / 2 ** 20;
  const rss0 = process.memoryUsage().rss / 2 ** 20;
  const t0 = performance.now();
  const graph = await knn(emb, { k: 20, method: n <= 30000 ? "exact" : "hnsw", hnsw });
  const t1 = performance.now();
  const a = await coverageAnalysis(emb, labels, { knnGraph: graph });
  const t2 = performance.now();
  const peak = process.resourceUsage().maxRSS / 1024;
  const row = {
    n,
    knn: graph.method,
    knnSeconds: ((t1 - t0) / 1000).toFixed(1),
    analysisSeconds: ((t2 - t1) / 1000).toFixed(1),
    totalSeconds: ((t2 - t0) / 1000).toFixed(1),
    inputMiB: inputMiB.toFixed(0),
    peakRssMiB: peak.toFixed(0),
    extraOverInput: ((peak - rss0) / inputMiB).toFixed(2),
    uncovered: a.uncoveredIndices.length,
    meanIsotropy: (a.rows.reduce((s, r) => s + (r.isotropy ?? 0), 0) / a.rows.length).toFixed(3),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}

if (record) {
  const path = new URL("../RESULTS.md", import.meta.url);
  const date = new Date().toISOString().slice(0, 10);
  let text = "";
  if (!existsSync(path) || !readFileSync(path, "utf8").includes("## Coverage (adaptive")) {
    text += `\n## Coverage (adaptive, @assay/coverage)\n\nSynthetic 10-class Gaussian mixture, d = 128, k = 20, percent 0.01, per-class dispersion/isotropy/near-dup. ` +
      `kNN: exact (math, blocked) up to 30k rows, HNSW (M 12, efConstruction 64, efSearch 48, exact re-rank) beyond. ` +
      `Machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}. ` +
      `"extra/input" = (peak RSS − RSS before the run) / input bytes.\n\n` +
      `| date | n | kNN | kNN s | analysis s | total s | input MiB | peak RSS MiB | extra/input | uncovered |\n|---|---|---|---|---|---|---|---|---|---|\n`;
  }
  for (const r of rows) text += `| ${date} | ${r.n} | ${r.knn} | ${r.knnSeconds} | ${r.analysisSeconds} | ${r.totalSeconds} | ${r.inputMiB} | ${r.peakRssMiB} | ${r.extraOverInput} | ${r.uncovered} |\n`;
  appendFileSync(path, text);
}
