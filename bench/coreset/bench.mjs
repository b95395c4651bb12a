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
// Part 4 `ood` (6.1, OOD): the detect mixture plus 2 % planted rows with random labels, "unseen class"
//   (one new class by the same recipe) or "noise" (N(column mean, (2·column std)²)), with clean labels
//   and with 10 % uniform flips; recall@k of the planted rows (k = their number), recall at a wider
//   budget (2k clean; k + #flips noisy) and AUROC, same scores as part 1, seeds 1..5. ≈ 15 s.
//   Measured 2026-12-02 (load ≈ 2.7): clean labels, balanced recall@k 0.998 (unseen class) / 0.998
//   (noise), confident learning 0.920 / 0.868; with flips the flips fill the top k (balanced 0.006 /
//   0.332) and recall@(k + #flips) is 0.982 / 1.000 (confident learning 0.954 / 0.874).
// Part 5 `quality` (6.3): n = 8,000 × 16, K = 10, clean labels, 20 seeds, m ∈ {0.5, 1, 2, 5, 10} % of n
//   ∪ {200, 500, 1000, 2000, 5000}; uniform, class-stratified uniform, CCL-σ priority and multinomial
//   (sampleCoreset); the same weighted multinomial LR (C = 1, tol 1e-6) on each; median relative excess
//   loss, Σω/n, |L_C(θ) − L(θ)|/L(θ) at θ* and θ_C, the test-accuracy gap on n/4 clean held-out rows
//   (the rows after the first n of the same draw), and the spec's pass criteria (monotone in m; CCL-σ
//   ≤ uniform for m ≥ 2·K·p, paired median; tree (chunkSize 512) coreset = one-shot). ≈ 45 s.
//   Measured 2026-12-02: all four decrease with m; priority ≤ uniform at every m ≥ 340 (m = 1000:
//   0.415 vs 0.560; m = 5000: 0.013 vs 0.056); multinomial fails at m = 400 (+0.017) and m = 5000
//   (0.082 vs 0.056, draws with replacement); tree = one-shot in 400/400 coresets. Accuracy gap vs the
//   full model (0.991): −0.013…−0.014 at m = 400, −0.007 (priority) … −0.009 at m = 1000, ≈ 0 at m = 5000.
//   Not measured: the 20 random θ around θ* of the loss-approximation metric, and the lightweight,
//   √leverage + 1/n and model-loss-pilot samplers.
// Part 6 `local` (6.3, local mode): LocalCoresetTree over n = 32,000 × 32 with 10 % flips; recall of the
//   exact per-class top 100 for nodeSize {256, 128, 100} × chunkSize {32000 … 1000} (depth 0 … 5),
//   seeds 1..5. ≈ 45 s. Measured 2026-12-02: nodeSize 256 recall 1.000 at every depth; nodeSize 128
//   0.780 (depth 2) … 0.906 (depth 5); nodeSize 100 0.667 … 0.807 (the kept count grows 1.1^level).
//
//   pnpm --filter @assay/bench-coreset bench [-- --seeds 5 --n 5000 --big 100000 --huge 1000000 --parts detect,ood,quality,local,edits,build]
//   node bench.mjs --parts ood,quality,local  [--ood-fraction 0.02 --quality-n 8000 --quality-d 16
//     --quality-seeds 20 --local-n 32000 --local-b 100 --local-node 256,128,100 --local-chunks 32000,8000,4000,2000,1000]
//   results.json keeps the sections of parts not run this time (each run replaces only its own parts).
//   CORESET_BENCH_PARTS=edits,build node bench.mjs      (env alternative to --parts)
//   The 1M build uses CoresetIndex.buildAsync (2 worker threads, same result as build); --sync (or
//   CORESET_BENCH_SYNC=1) also times the single-threaded CoresetIndex.build.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { CoresetIndex, LocalCoresetTree, importantSamples, labelFreeScores, sampleCoreset } from "@assay/coreset";
import { columnMeans, columnVariances, createRng, crossValPredictProba, fitLogisticRegression, largestRemainder, quantile, rocAuc, selectRows } from "@assay/math";

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
    parts: { type: "string", default: process.env.CORESET_BENCH_PARTS ?? "detect,ood,quality,local,edits,build" },
    sync: { type: "boolean", default: process.env.CORESET_BENCH_SYNC === "1" },
    "ood-fraction": { type: "string", default: "0.02" },
    "quality-n": { type: "string", default: "8000" },
    "quality-d": { type: "string", default: "16" },
    "quality-seeds": { type: "string", default: "20" },
    "local-n": { type: "string", default: "32000" },
    "local-b": { type: "string", default: "100" },
    "local-node": { type: "string", default: "256,128,100" },
    "local-chunks": { type: "string", default: "32000,8000,4000,2000,1000" },
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

/** A class's covariance factor L (d × d, row-major): N(0, 1)/√d × U(0.5, 1.5). */
function classFactor(rng, d) {
  const scale = 0.5 + rng.random();
  const L = new Float64Array(d * d);
  for (let i = 0; i < L.length; i++) L[i] = (rng.normal() / Math.sqrt(d)) * scale;
  return L;
}

/** Anisotropic Gaussian mixture, spec CI-20 recipe. Returns features and true labels. */
function mixture(n, d, k, seed) {
  const rng = createRng(seed);
  const means = new Float64Array(k * d);
  for (let i = 0; i < means.length; i++) means[i] = 1.2 * rng.normal();
  const factors = Array.from({ length: k }, () => classFactor(rng, d));
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

/** Standardize m with the column means and standard deviations of ref (default: m itself). */
function standardized(m, ref = m) {
  const mean = columnMeans(ref);
  const variance = columnVariances(ref, 0);
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
/** Every compared score for features x (standardized copy xz for the out-of-fold LR) and observed labels. */
function allScores(x, xz, labels, seed) {
  const index = CoresetIndex.build(x, labels, { classes: Array.from({ length: K }, (_, c) => `c${c}`) });
  const outlier = index.outlierScores();
  const label = index.labelScores();
  const ccl = (beta) => Float64Array.from(outlier, (o, i) => o - beta * (o - label[i])); // ln d_own − β ln d_other
  const rng = createRng(seed + 7);
  const probs = crossValPredictProba(xz, labels, { folds: 5, seed, numClasses: K });
  return {
    random: Float64Array.from({ length: x.rows }, () => rng.random()),
    lightweight: labelFreeScores(index, "lightweight"),
    dataheroes: ccl(0),
    balanced: ccl(0.5),
    label: ccl(1),
    "confident-learning": Float64Array.from(labels, (c, i) => 1 - probs.data[i * K + c]),
  };
}
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
    const scores = allScores(x, xz, noisy, seed);
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

// ---------- Part 4 (6.1, OOD): recall of planted out-of-distribution rows among the flagged top-k ----------
/** OOD rows: "unseen-class" = a new class drawn by the CI-20 recipe; "noise" = N(column mean, (2·column std)²) vectors. Random labels. */
function oodRows(x, count, kind, seed) {
  const rng = createRng(seed + 5000);
  const d = x.cols;
  const data = new Float32Array(count * d);
  if (kind === "unseen-class") {
    const mean = Float64Array.from({ length: d }, () => 1.2 * rng.normal());
    const L = classFactor(rng, d);
    const z = new Float64Array(d);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < d; j++) z[j] = rng.normal();
      for (let r = 0; r < d; r++) {
        let s = mean[r];
        for (let j = 0; j < d; j++) s += L[r * d + j] * z[j];
        data[i * d + r] = s;
      }
    }
  } else {
    const mu = columnMeans(x);
    const sd = columnVariances(x, 0).map(Math.sqrt);
    for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) data[i * d + j] = mu[j] + 2 * sd[j] * rng.normal();
  }
  return { data, labels: Int32Array.from({ length: count }, () => rng.int(K)) };
}

const OOD_FRACTION = Number(values["ood-fraction"]);
const ood = {};
const OOD_KINDS = ["unseen-class", "noise"];
const OOD_SETTINGS = [
  { name: "clean", rate: 0 },
  { name: "flips", rate: RATE },
];
if (PARTS.has("ood")) {
  const t0 = performance.now();
  for (const setting of OOD_SETTINGS) {
    ood[setting.name] = {};
    for (const kind of OOD_KINDS) {
      const acc = Object.fromEntries(METHODS.map((m) => [m, { recall: [], recallWide: [], auroc: [] }]));
      for (let seed = 1; seed <= SEEDS; seed++) {
        const { x, y } = mixture(N, D, K, seed);
        const noisy = setting.rate > 0 ? addNoise(y, "uniform", null, seed) : y;
        const flips = noisy.reduce((a, v, i) => a + (v !== y[i] ? 1 : 0), 0);
        const count = Math.round(OOD_FRACTION * N);
        const planted = oodRows(x, count, kind, seed);
        const n = N + count;
        const all = { rows: n, cols: D, data: new Float32Array(n * D) };
        all.data.set(x.data);
        all.data.set(planted.data, N * D);
        const labels = new Int32Array(n);
        labels.set(noisy);
        labels.set(planted.labels, N);
        const isOod = Uint8Array.from({ length: n }, (_, i) => (i >= N ? 1 : 0));
        const scores = allScores(all, standardized(all), labels, seed);
        // k = #OOD (precision@k = recall@k); the wider budget is k + #flips with flips, 2k without.
        const wide = flips > 0 ? count + flips : 2 * count;
        for (const m of METHODS) {
          acc[m].recall.push(precisionAtK(scores[m], isOod, count));
          acc[m].recallWide.push((precisionAtK(scores[m], isOod, wide) * wide) / count);
          acc[m].auroc.push(rocAuc(scores[m], isOod));
        }
        console.error(`ood ${setting.name} ${kind} seed ${seed}: ${METHODS.map((m) => `${m} ${acc[m].recall.at(-1).toFixed(3)}`).join(", ")}`);
      }
      ood[setting.name][kind] = Object.fromEntries(METHODS.map((m) => [m, { recallAtK: stat(acc[m].recall), recallAtWide: stat(acc[m].recallWide), auroc: stat(acc[m].auroc) }]));
    }
  }
  ood.seconds = (performance.now() - t0) / 1000;
}

// ---------- Part 5 (6.3): coreset quality — relative excess loss of a weighted LR fitted on each coreset ----------
const QN = Number(values["quality-n"]);
const QD = Number(values["quality-d"]);
const QSEEDS = Number(values["quality-seeds"]);
const QUALITY_METHODS = ["uniform", "stratified", "ccl-priority", "ccl-multinomial"];
const LR = { classes: K, C: 1, tol: 1e-6, maxIter: 500 };
const P = QD + 1; // features + intercept
/** Sizes: {0.5, 1, 2, 5, 10} % of n plus the absolute {200, 500, 1000, 2000, 5000} that are below n. */
const qualitySizes = () =>
  [...new Set([...[0.005, 0.01, 0.02, 0.05, 0.1].map((f) => Math.round(f * QN)), ...[200, 500, 1000, 2000, 5000].filter((m) => m < QN)])].sort((a, b) => a - b);

/** Per-row log-loss at a model (probabilities clipped at 1e-15) and the penalty ‖coef‖²/(2C): L = Σ ℓ_i + penalty. */
function rowLosses(model, xz, y) {
  const p = model.predictProba(xz);
  const loss = new Float64Array(xz.rows);
  for (let i = 0; i < xz.rows; i++) loss[i] = -Math.log(Math.max(1e-15, p.data[i * K + y[i]]));
  let penalty = 0;
  for (const v of model.coef.data) penalty += v * v;
  return { loss, penalty: penalty / (2 * LR.C) };
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
/** Accuracy of a model's arg-max prediction. */
function accuracy(model, xs, ys) {
  const p = model.predictProba(xs);
  let hits = 0;
  for (let i = 0; i < xs.rows; i++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (p.data[i * K + c] > p.data[i * K + best]) best = c;
    hits += best === ys[i] ? 1 : 0;
  }
  return hits / xs.rows;
}

/** Uniform (or per-class uniform) sample without replacement, weight n/m (n_c/m_c). */
function uniformCoreset(y, m, stratified, rng) {
  const n = y.length;
  const groups = stratified ? Array.from({ length: K }, (_, c) => Int32Array.from(Array.from(y.keys()).filter((i) => y[i] === c))) : [Int32Array.from({ length: n }, (_, i) => i)];
  const sizes = stratified ? largestRemainder(groups.map((g) => g.length), m) : [m];
  const indices = [];
  const weights = [];
  groups.forEach((g, c) => {
    const take = Math.min(sizes[c], g.length);
    const order = rng.shuffle(Int32Array.from(g));
    for (let t = 0; t < take; t++) {
      indices.push(order[t]);
      weights.push(g.length / take);
    }
  });
  return { indices: Int32Array.from(indices), weights: Float64Array.from(weights) };
}

let quality = null;
if (PARTS.has("quality")) {
  const t0 = performance.now();
  const sizes = qualitySizes();
  const excess = Object.fromEntries(QUALITY_METHODS.map((m) => [m, sizes.map(() => [])]));
  const approx = Object.fromEntries(QUALITY_METHODS.map((m) => [m, sizes.map(() => [])]));
  const approxC = Object.fromEntries(QUALITY_METHODS.map((m) => [m, sizes.map(() => [])]));
  const accuracyGap = Object.fromEntries(QUALITY_METHODS.map((m) => [m, sizes.map(() => [])]));
  const weightRatio = Object.fromEntries(QUALITY_METHODS.map((m) => [m, sizes.map(() => [])]));
  const fullLoss = [];
  const fullTestAccuracy = [];
  let treeChecks = 0;
  let treeMismatches = 0;
  for (let seed = 1; seed <= QSEEDS; seed++) {
    // The first QN rows of a longer draw equal mixture(QN, …); the QN/4 rows after them are a clean test set.
    const QT = Math.round(QN / 4);
    const gen = mixture(QN + QT, QD, K, 100 + seed);
    const x = { rows: QN, cols: QD, data: gen.x.data.slice(0, QN * QD) };
    const y = gen.y.slice(0, QN);
    const xz = standardized(x);
    const xt = standardized({ rows: QT, cols: QD, data: gen.x.data.slice(QN * QD) }, x);
    const yt = gen.y.slice(QN);
    const full = fitLogisticRegression(xz, y, LR);
    const fullAccuracy = accuracy(full, xt, yt);
    fullTestAccuracy.push(fullAccuracy);
    const star = rowLosses(full, xz, y);
    const Lstar = sum(star.loss) + star.penalty;
    fullLoss.push(Lstar / QN);
    const classes = Array.from({ length: K }, (_, c) => `c${c}`);
    const index = CoresetIndex.build(xz, y, { classes, chunkSize: 512 });
    const oneShot = CoresetIndex.build(xz, y, { classes, chunkSize: QN });
    const rng = createRng(seed + 31);
    sizes.forEach((m, si) => {
      for (const method of QUALITY_METHODS) {
        let cs;
        if (method === "uniform" || method === "stratified") cs = uniformCoreset(y, m, method === "stratified", rng);
        else {
          const opts = { size: m, method: method === "ccl-priority" ? "priority" : "multinomial", seed };
          cs = sampleCoreset(index, opts);
          const ref = sampleCoreset(oneShot, opts);
          treeChecks++;
          const same = ref.indices.length === cs.indices.length && ref.indices.every((v, t) => v === cs.indices[t] && ref.weights[t] === cs.weights[t]);
          if (!same) treeMismatches++;
        }
        const sub = selectRows(xz, cs.indices);
        const ys = Int32Array.from(cs.indices, (i) => y[i]);
        const model = fitLogisticRegression(sub, ys, { ...LR, sampleWeight: cs.weights });
        const at = rowLosses(model, xz, y);
        excess[method][si].push((sum(at.loss) + at.penalty - Lstar) / Lstar);
        let lc = 0;
        cs.indices.forEach((i, t) => (lc += cs.weights[t] * star.loss[i]));
        approx[method][si].push(Math.abs(lc - sum(star.loss)) / sum(star.loss));
        let lcC = 0;
        cs.indices.forEach((i, t) => (lcC += cs.weights[t] * at.loss[i]));
        approxC[method][si].push(Math.abs(lcC - sum(at.loss)) / sum(at.loss));
        accuracyGap[method][si].push(accuracy(model, xt, yt) - fullAccuracy);
        weightRatio[method][si].push(sum(cs.weights) / QN);
      }
    });
    console.error(`quality seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const med = (xs) => quantile(Float64Array.from(xs), 0.5);
  const q = (xs, p) => quantile(Float64Array.from(xs), p);
  const table = Object.fromEntries(
    QUALITY_METHODS.map((method) => [
      method,
      sizes.map((m, si) => ({
        m,
        excessMedian: med(excess[method][si]),
        excessIqr: [q(excess[method][si], 0.25), q(excess[method][si], 0.75)],
        lossApproxAtThetaStarMedian: med(approx[method][si]),
        lossApproxAtThetaCMedian: med(approxC[method][si]),
        testAccuracyGapMedian: med(accuracyGap[method][si]),
        weightSumOverNMedian: med(weightRatio[method][si]),
        weightSumOverNMaxDev: Math.max(...weightRatio[method][si].map((r) => Math.abs(r - 1))),
        excess: excess[method][si],
      })),
    ]),
  );
  // Pass criteria (spec 6.3).
  const decreasing = Object.fromEntries(
    QUALITY_METHODS.map((method) => {
      const rows = table[method];
      const violations = rows.slice(1).filter((r, t) => r.excessMedian > rows[t].excessMedian).map((r) => r.m);
      return [method, { monotone: violations.length === 0, increasesAt: violations, firstOverLast: rows[0].excessMedian / rows.at(-1).excessMedian }];
    }),
  );
  const threshold = 2 * K * P;
  const versusUniform = Object.fromEntries(
    ["ccl-priority", "ccl-multinomial"].map((method) => [
      method,
      sizes
        .map((m, si) => ({ m, si }))
        .filter(({ m }) => m >= threshold)
        .map(({ m, si }) => {
          const diffs = excess[method][si].map((v, s) => v - excess.uniform[si][s]); // paired by seed
          return { m, medianPairedDiff: med(diffs), noWorse: med(diffs) <= 0, winsOfSeeds: diffs.filter((v) => v <= 0).length };
        }),
    ]),
  );
  quality = {
    n: QN,
    d: QD,
    classes: K,
    seeds: QSEEDS,
    sizes,
    lr: LR,
    threshold2Kp: threshold,
    fullLossPerRowMedian: med(fullLoss),
    fullTestAccuracyMedian: med(fullTestAccuracy),
    table,
    criteria: { decreasing, versusUniform, treeIdentical: { checks: treeChecks, mismatches: treeMismatches, pass: treeMismatches === 0 } },
    seconds: (performance.now() - t0) / 1000,
  };
}

// ---------- Part 6 (6.3, local mode): recall of the exact per-class top list versus tree depth ----------
const LN = Number(values["local-n"]);
const LB = Number(values["local-b"]);
let local = null;
if (PARTS.has("local")) {
  const t0 = performance.now();
  const chunkSizes = values["local-chunks"].split(",").map(Number);
  const nodeSizes = values["local-node"].split(",").map(Number);
  const rows = nodeSizes.flatMap((nodeSize) => chunkSizes.map((chunkSize) => ({ nodeSize, chunkSize, depth: [], recall: [] })));
  const classes = Array.from({ length: K }, (_, c) => `c${c}`);
  const classSize = Object.fromEntries(classes.map((c) => [c, LB]));
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { x, y } = mixture(LN, D, K, 200 + seed);
    const noisy = addNoise(y, "uniform", null, seed);
    const exact = new Set(importantSamples(CoresetIndex.build(x, noisy, { classes }), { classSize, markSeen: false }).map((s) => s.index));
    for (const row of rows) {
      const tree = LocalCoresetTree.build(x, noisy, { classes, chunkSize: row.chunkSize, nodeSize: row.nodeSize });
      const got = tree.important({ classSize, markSeen: false });
      row.depth.push(tree.depth);
      row.recall.push(got.filter((s) => exact.has(s.index)).length / exact.size);
    }
    console.error(`local seed ${seed}: ${rows.map((r) => `node ${r.nodeSize} chunk ${r.chunkSize} depth ${r.depth.at(-1)} recall ${r.recall.at(-1).toFixed(3)}`).join(", ")}`);
  }
  local = { n: LN, d: D, classes: K, perClass: LB, rows: rows.map((r) => ({ nodeSize: r.nodeSize, chunkSize: r.chunkSize, depth: Math.max(...r.depth), recall: stat(r.recall) })), seconds: (performance.now() - t0) / 1000 };
}

const machine = { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const date = new Date().toISOString().slice(0, 10);
// Sections of parts not run this time are kept from an existing results file.
const previous = existsSync(values.out) ? JSON.parse(readFileSync(values.out, "utf8")) : {};
const fresh = { detection: PARTS.has("detect") ? detection : undefined, detectionSeconds: PARTS.has("detect") ? detectionSeconds : undefined, update, huge, ood: PARTS.has("ood") ? ood : null, quality, local };
const merged = { ...previous, date, machine, loadAverage: loadavg(), settings: { seeds: SEEDS, n: N, d: D, k: K, rate: RATE, parts: [...PARTS] } };
for (const [key, value] of Object.entries(fresh)) if (value !== undefined && value !== null) merged[key] = value;
else if (!(key in merged)) merged[key] = null;
writeFileSync(values.out, `${JSON.stringify(merged, null, 2)}\n`);

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
if (PARTS.has("ood")) {
  const count = Math.round(OOD_FRACTION * N);
  lines.push(
    "",
    `OOD recall (spec 6.1): the detect mixture (n = ${N}, d = ${D}, K = ${K}) plus ${count} planted rows with random labels — "unseen class" (one new class by the same recipe) or "noise" (N(column mean, (2·column std)²) vectors); k = ${count} (the number of planted rows); seeds 1..${SEEDS}, mean ± std.`,
  );
  for (const setting of OOD_SETTINGS) {
    const wide = setting.rate > 0 ? `k + ${Math.floor(setting.rate * N)} flips` : "2k";
    lines.push(
      "",
      setting.rate > 0 ? `With ${setting.rate * 100} % uniform label flips as well (flips compete for the top of the list):` : "Clean labels otherwise:",
      "",
      `| score | unseen class recall@k | recall@${wide} | AUROC | noise recall@k | recall@${wide} | AUROC |`,
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const m of METHODS) {
      const u = ood[setting.name]["unseen-class"][m];
      const v = ood[setting.name].noise[m];
      lines.push(`| ${m} | ${pm(u.recallAtK)} | ${pm(u.recallAtWide)} | ${pm(u.auroc)} | ${pm(v.recallAtK)} | ${pm(v.recallAtWide)} | ${pm(v.auroc)} |`);
    }
  }
}
if (quality !== null) {
  const e = (v) => (v >= 0.01 ? v.toFixed(3) : v.toExponential(1));
  lines.push(
    "",
    `Coreset quality (spec 6.3): CI-20 mixtures n = ${QN}, d = ${QD}, K = ${K}, clean labels, seeds 101..${100 + QSEEDS}. The same weighted multinomial LR (C = 1, L-BFGS, tol 1e-6, ≤ 500 iterations) on the full data (θ*) and on each coreset (θ_C); cell = median over seeds of the relative excess loss (L(θ_C) − L(θ*))/L(θ*), L = full-data log-loss + penalty (L(θ*)/n median ${quality.fullLossPerRowMedian.toFixed(3)}). 2·K·p = ${quality.threshold2Kp} (p = d + 1).`,
    "",
    `| m | ${QUALITY_METHODS.join(" | ")} |`,
    `| ---: | ${QUALITY_METHODS.map(() => "---:").join(" | ")} |`,
  );
  quality.sizes.forEach((m, si) => lines.push(`| ${m} | ${QUALITY_METHODS.map((method) => e(quality.table[method][si].excessMedian)).join(" | ")} |`));
  lines.push(
    "",
    "Weight-sum check Σω/n (= Σω/W, unit weights): median over seeds, in brackets the largest |Σω/n − 1|:",
    "",
    `| m | ${QUALITY_METHODS.join(" | ")} |`,
    `| ---: | ${QUALITY_METHODS.map(() => "---:").join(" | ")} |`,
  );
  quality.sizes.forEach((m, si) =>
    lines.push(`| ${m} | ${QUALITY_METHODS.map((method) => `${quality.table[method][si].weightSumOverNMedian.toFixed(3)} (${quality.table[method][si].weightSumOverNMaxDev.toFixed(3)})`).join(" | ")} |`),
  );
  lines.push(
    "",
    "Loss-approximation error |L_C(θ) − L(θ)|/L(θ) (log-loss part) at θ* / at θ_C, and test-accuracy gap acc(θ_C) − acc(θ*) on " +
      `${Math.round(QN / 4)} clean held-out rows (full-data accuracy median ${quality.fullTestAccuracyMedian.toFixed(3)}), medians:`,
    "",
    `| m | ${QUALITY_METHODS.join(" | ")} |`,
    `| ---: | ${QUALITY_METHODS.map(() => "---:").join(" | ")} |`,
  );
  quality.sizes.forEach((m, si) =>
    lines.push(`| ${m} | ${QUALITY_METHODS.map((method) => { const r = quality.table[method][si]; return `${e(r.lossApproxAtThetaStarMedian)} / ${e(r.lossApproxAtThetaCMedian)}; ${Math.abs(r.testAccuracyGapMedian) < 5e-4 ? "0.000" : `${r.testAccuracyGapMedian > 0 ? "+" : ""}${r.testAccuracyGapMedian.toFixed(3)}`}`; }).join(" | ")} |`),
  );
  const c = quality.criteria;
  lines.push(
    "",
    "Pass criteria:",
    `- excess loss decreases with m (median): ${QUALITY_METHODS.map((method) => `${method} ${c.decreasing[method].monotone ? "yes" : `no (rises at m = ${c.decreasing[method].increasesAt.join(", ")})`}`).join("; ")};`,
    `- CCL-σ no worse than uniform for m ≥ ${quality.threshold2Kp} (median paired difference ≤ 0): ${["ccl-priority", "ccl-multinomial"].map((method) => `${method} ${c.versusUniform[method].map((r) => `m=${r.m} ${r.noWorse ? "pass" : "FAIL"} (${e(r.medianPairedDiff)}, ${r.winsOfSeeds}/${QSEEDS} seeds ≤)`).join(", ")}`).join("; ")};`,
    `- tree (chunkSize 512) coreset identical to one-shot (single leaf): ${c.treeIdentical.pass ? "pass" : "FAIL"} (${c.treeIdentical.checks - c.treeIdentical.mismatches}/${c.treeIdentical.checks} identical, indices and weights).`,
  );
}
if (local !== null) {
  lines.push(
    "",
    `Local mode (spec 6.3): LocalCoresetTree (default maxDescend 4) over n = ${LN}, d = ${D}, K = ${K}, ${RATE * 100} % uniform flips; recall of the exact per-class top ${LB} (CoresetIndex, classSize ${LB} per class) by the local tree's answer, seeds 1..${SEEDS}, mean ± std.`,
    "",
    "| nodeSize | chunkSize | depth | recall |",
    "| ---: | ---: | ---: | ---: |",
  );
  for (const r of local.rows) lines.push(`| ${r.nodeSize} | ${r.chunkSize} | ${r.depth} | ${pm(r.recall)} |`);
}
console.log(lines.join("\n"));
