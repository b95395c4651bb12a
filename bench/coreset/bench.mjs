// Coreset importance evaluation, after shared/specs/coreset-importance.md section 6.
//
// Part 1 (6.1): label-error detection on synthetic anisotropic Gaussian mixtures (K = 10, d = 32,
//   n = 5,000; class means N(0, 1.2²), covariance L·Lᵀ with L ~ N(0, 1)/√d × U(0.5, 1.5)), 10 % noise,
//   uniform and confusable (target = the class a logistic regression fitted on the clean labels most
//   often predicts for the true class), seeds 1..5. Scores: random, label-free lightweight, CCL presets
//   dataheroes / balanced / label (one index: importance = ln d_own − β·ln d_other), confident
//   learning (1 − out-of-fold p̂(y), 5 folds). Metrics: precision@k at k = #errors, AUROC.
// Part 2 (5.7 / issue "Performance"): at 100,000 × 128, K = 10: build (= rebuild) time versus the time
//   of single-row relabels and removals. Edits are absorbed as O(p²) statistics updates; the O(n·p)
//   rescoring they queue runs at the next read, so each edit is timed alone and together with the
//   next `classSize` query (which pays the rescoring).
// Part 3 (issue "Performance"): a fresh build at 1,000,000 × 128, K = 10 (class means N(0, 1.2²),
//   diagonal noise; cheaper to generate than the full-covariance recipe). Needs ~3 GB of memory.
//
//   pnpm --filter @assay/bench-coreset bench [-- --seeds 5 --n 5000 --big 100000 --huge 1000000 --parts detect,edits,build]
//   CORESET_BENCH_PARTS=edits,build node bench.mjs      (env alternative to --parts)
//   The 1M build uses CoresetIndex.buildAsync (2 worker threads, same result as build); --sync (or
//   CORESET_BENCH_SYNC=1) also times the single-threaded CoresetIndex.build.
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { CoresetIndex, importantSamples, labelFreeScores } from "@assay/coreset";
import { columnMeans, columnVariances, createRng, crossValPredictProba, fitLogisticRegression, rocAuc } from "@assay/math";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "5" },
    n: { type: "string", default: "5000" },
    d: { type: "string", default: "32" },
    k: { type: "string", default: "10" },
    rate: { type: "string", default: "0.1" },
    big: { type: "string", default: "100000" },
    edits: { type: "string", default: "20" },
    out: { type: "string", default: "results.json" },
    huge: { type: "string", default: "1000000" },
    parts: { type: "string", default: process.env.CORESET_BENCH_PARTS ?? "detect,edits,build" },
    sync: { type: "boolean", default: process.env.CORESET_BENCH_SYNC === "1" },
  },
});
const PARTS = new Set(values.parts.split(",").map((s) => s.trim()));
const HUGE = Number(values.huge);
const SEEDS = Number(values.seeds);
const N = Number(values.n);
const D = Number(values.d);
const K = Number(values.k);
const RATE = Number(values.rate);
const BIG = Number(values.big);
const EDITS = Number(values.edits);

/** Anisotropic Gaussian mixture, spec CI-20 recipe. Returns features and true labels. */
function mixture(n, d, k, seed) {
  const rng = createRng(seed);
  const means = new Float64Array(k * d);
  for (let i = 0; i < means.length; i++) means[i] = 1.2 * rng.normal();
  const factors = [];
  for (let c = 0; c < k; c++) {
    const scale = 0.5 + rng.random();
    const L = new Float64Array(d * d);
    for (let i = 0; i < L.length; i++) L[i] = (rng.normal() / Math.sqrt(d)) * scale;
    factors.push(L);
  }
  const y = new Int32Array(n);
  const data = new Float32Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(k);
    y[i] = c;
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    const L = factors[c];
    for (let r = 0; r < d; r++) {
      let s = means[c * d + r];
      for (let j = 0; j < d; j++) s += L[r * d + j] * z[j];
      data[i * d + r] = s;
    }
  }
  return { x: { rows: n, cols: d, data }, y };
}

function standardized(m) {
  const mean = columnMeans(m);
  const variance = columnVariances(m, 0);
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = (m.data[i * m.cols + j] - mean[j]) / (Math.sqrt(variance[j]) || 1);
  return { rows: m.rows, cols: m.cols, data: out };
}

/** Rows to flip: a seeded permutation's first ⌊rate·n⌋. Uniform: any other class. Confusable: target[y]. */
function addNoise(y, kind, target, seed) {
  const rng = createRng(seed + 1000);
  const order = rng.shuffle(Int32Array.from({ length: y.length }, (_, i) => i));
  const noisy = Int32Array.from(y);
  const flips = Math.floor(RATE * y.length);
  for (let j = 0; j < flips; j++) {
    const i = order[j];
    if (kind === "uniform") {
      const o = rng.int(K - 1);
      noisy[i] = o >= y[i] ? o + 1 : o;
    } else noisy[i] = target[y[i]];
  }
  return noisy;
}

/** The class a clean-label logistic regression most often predicts for each true class (off the diagonal). */
function confusableTargets(xz, y) {
  const probs = fitLogisticRegression(xz, y, { classes: K }).predictProba(xz);
  const confusion = new Float64Array(K * K);
  for (let i = 0; i < xz.rows; i++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (probs.data[i * K + c] > probs.data[i * K + best]) best = c;
    confusion[y[i] * K + best]++;
    // soft counts break ties when the classifier makes no hard mistake between two classes
    for (let c = 0; c < K; c++) confusion[y[i] * K + c] += 1e-6 * probs.data[i * K + c];
  }
  return Int32Array.from({ length: K }, (_, t) => {
    let best = -1;
    for (let c = 0; c < K; c++) if (c !== t && (best < 0 || confusion[t * K + c] > confusion[t * K + best])) best = c;
    return best;
  });
}

function precisionAtK(score, isError, k) {
  const order = Array.from(score.keys()).sort((a, b) => score[b] - score[a] || a - b);
  let hits = 0;
  for (let j = 0; j < k; j++) hits += isError[order[j]];
  return hits / k;
}

const stat = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean: m, std: s, values: xs };
};
const pm = (s, digits = 3) => `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;

// ---------- Part 1: detection ----------
const METHODS = ["random", "lightweight", "dataheroes", "balanced", "label", "confident-learning"];
const detection = {};
const started = performance.now();
for (const noise of PARTS.has("detect") ? ["uniform", "confusable"] : []) {
  const acc = Object.fromEntries(METHODS.map((m) => [m, { precision: [], auroc: [] }]));
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { x, y } = mixture(N, D, K, seed);
    const xz = standardized(x);
    const target = noise === "confusable" ? confusableTargets(xz, y) : null;
    const noisy = addNoise(y, noise, target, seed);
    const isError = Uint8Array.from(noisy, (v, i) => (v !== y[i] ? 1 : 0));
    const errors = isError.reduce((a, b) => a + b, 0);
    const index = CoresetIndex.build(x, noisy, { classes: Array.from({ length: K }, (_, c) => `c${c}`) });
    const outlier = index.outlierScores();
    const label = index.labelScores();
    const ccl = (beta) => Float64Array.from(outlier, (o, i) => o - beta * (o - label[i])); // ln d_own − β ln d_other
    const rng = createRng(seed + 7);
    const probs = crossValPredictProba(xz, noisy, { folds: 5, seed, numClasses: K });
    const scores = {
      random: Float64Array.from({ length: N }, () => rng.random()),
      lightweight: labelFreeScores(index, "lightweight"),
      dataheroes: ccl(0),
      balanced: ccl(0.5),
      label: ccl(1),
      "confident-learning": Float64Array.from(noisy, (c, i) => 1 - probs.data[i * K + c]),
    };
    for (const m of METHODS) {
      acc[m].precision.push(precisionAtK(scores[m], isError, errors));
      acc[m].auroc.push(rocAuc(scores[m], isError));
    }
    console.error(`${noise} seed ${seed}: ${METHODS.map((m) => `${m} ${acc[m].precision.at(-1).toFixed(3)}`).join(", ")}`);
  }
  detection[noise] = Object.fromEntries(METHODS.map((m) => [m, { precisionAtK: stat(acc[m].precision), auroc: stat(acc[m].auroc) }]));
}
const detectionSeconds = (performance.now() - started) / 1000;

/** Class means N(0, 1.2²) plus diagonal noise with per-column scale 0.5…1.3 (fast to generate at 10⁶ rows). */
function diagonalMixture(n, d, k, seed) {
  const rng = createRng(seed);
  const means = Float64Array.from({ length: k * d }, () => 1.2 * rng.normal());
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(k);
    y[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = means[c * d + j] + rng.normal() * (0.5 + (j % 5) * 0.2);
  }
  return { x: { rows: n, cols: d, data }, y };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (xs) => ({ median: median(xs), max: Math.max(...xs), values: xs });

// ---------- Part 2: edit vs rebuild at BIG × 128 ----------
let update = null;
if (PARTS.has("edits")) {
  const big = mixture(BIG, 128, 10, 99);
  const classes = Array.from({ length: 10 }, (_, c) => `c${c}`);
  let t = performance.now();
  const index = CoresetIndex.build(big.x, big.y, { classes });
  const buildMs = performance.now() - t;
  console.error(`edits: built ${BIG} × 128 in ${(buildMs / 1000).toFixed(1)} s`);
  const rng = createRng(5);
  const timings = { relabel: [], relabelQuery: [], remove: [], removeQuery: [] };
  const query = () => importantSamples(index, { classSize: { c3: 20 }, markSeen: false });
  for (const kind of ["relabel", "remove"]) {
    for (let e = 0; e < EDITS; e++) {
      let row;
      do row = rng.int(BIG);
      while (!index.isLive(row));
      t = performance.now();
      if (kind === "relabel") index.relabel([row], [(index.labelOf(row) + 1 + rng.int(9)) % 10]);
      else index.remove([row]);
      timings[kind].push(performance.now() - t);
      t = performance.now();
      query();
      timings[`${kind}Query`].push(performance.now() - t);
    }
  }
  t = performance.now();
  query();
  const queryAloneMs = performance.now() - t;
  update = {
    rows: BIG,
    dims: 128,
    classes: 10,
    buildSeconds: buildMs / 1000,
    relabelMs: summary(timings.relabel),
    nextQueryAfterRelabelMs: summary(timings.relabelQuery),
    removeMs: summary(timings.remove),
    nextQueryAfterRemoveMs: summary(timings.removeQuery),
    queryAloneMs,
  };
}

// ---------- Part 3: fresh build at HUGE × 128, K = 10 ----------
let huge = null;
if (PARTS.has("build")) {
  const data = diagonalMixture(HUGE, 128, 10, 7);
  let t = performance.now();
  const index = await CoresetIndex.buildAsync(data.x, data.y, { workers: 2 });
  const buildMs = performance.now() - t;
  const q = performance.now();
  importantSamples(index, { classSize: { 3: 100 } });
  huge = { rows: HUGE, dims: 128, classes: 10, buildSeconds: buildMs / 1000, queryMs: performance.now() - q, syncBuildSeconds: null };
  if (values.sync) {
    t = performance.now();
    CoresetIndex.build(data.x, data.y);
    huge.syncBuildSeconds = (performance.now() - t) / 1000;
  }
  console.error(`build: ${HUGE} × 128 in ${(buildMs / 1000).toFixed(1)} s`);
}

const machine = { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const date = new Date().toISOString().slice(0, 10);
writeFileSync(values.out, `${JSON.stringify({ date, machine, loadAverage: loadavg(), settings: { seeds: SEEDS, n: N, d: D, k: K, rate: RATE, parts: [...PARTS] }, detection, detectionSeconds, update, huge }, null, 2)}\n`);

// Markdown for bench/RESULTS.md
const lines = [];
lines.push(`## Coreset importance (@assay/bench-coreset) — ${date}`, "");
lines.push(`Machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${loadavg().map((v) => v.toFixed(1)).join(" / ")} at the end.`);
if (PARTS.has("detect")) {
  lines.push(`Synthetic anisotropic Gaussian mixtures (spec CI-20 recipe), K = ${K}, d = ${D}, n = ${N}, ${RATE * 100} % flips, seeds 1..${SEEDS}, mean ± std; k = number of flips.`, "");
  lines.push("| score | uniform P@k | uniform AUROC | confusable P@k | confusable AUROC |", "| --- | ---: | ---: | ---: | ---: |");
  for (const m of METHODS) {
    const u = detection.uniform[m];
    const c = detection.confusable[m];
    lines.push(`| ${m} | ${pm(u.precisionAtK)} | ${pm(u.auroc)} | ${pm(c.precisionAtK)} | ${pm(c.auroc)} |`);
  }
}
if (update !== null) {
  const f = (s) => `median ${s.median.toFixed(2)} ms (max ${s.max.toFixed(2)})`;
  lines.push(
    "",
    `Edits at ${BIG.toLocaleString("en")} × 128, K = 10: build (= rebuild) ${update.buildSeconds.toFixed(1)} s. One relabel ${f(update.relabelMs)}, then the next classSize query ${f(update.nextQueryAfterRelabelMs)}; one removal ${f(update.removeMs)}, then the next query ${f(update.nextQueryAfterRemoveMs)}; ${EDITS} of each. A query with nothing queued: ${update.queryAloneMs.toFixed(2)} ms.`,
  );
}
if (huge !== null) {
  const syncPart = huge.syncBuildSeconds === null ? "" : `; single-threaded CoresetIndex.build ${huge.syncBuildSeconds.toFixed(1)} s`;
  lines.push("", `Fresh build at ${HUGE.toLocaleString("en")} × 128, K = 10: CoresetIndex.buildAsync (2 worker threads) ${huge.buildSeconds.toFixed(1)} s (first classSize query of 100 rows: ${huge.queryMs.toFixed(1)} ms)${syncPart}.`);
}
console.log(lines.join("\n"));
