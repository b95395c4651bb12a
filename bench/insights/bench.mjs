// The ImageNet-scale dataset-insights benchmark of issue #11 (@assay/bench-insights).
//
//   node --expose-gc --max-old-space-size=12288 bench.mjs [--rows 1281167] [--classes 1000] [--dim 128]
//        [--latent 16] [--chunk 8192] [--noise 0.08] [--dups 2000] [--k 5] [--seed 0]
//        [--mode auto|stream|memory] [--out file.md]
//
// Data (all seeded, nothing read from disk):
// - pred_probs, N × K, GENERATED ON THE FLY in row chunks of `--chunk` rows: row i is a pure function of
//   (seed, i, its true class), so every pass regenerates the same numbers and the N × K matrix (5.1 GB at
//   ImageNet size) is never resident in `stream` mode. A row puts 0.35–0.95 of its mass on the true class,
//   part of the rest on one confusable class (the "sibling" k xor 1 for 30 % of rows, else a random class),
//   and spreads the remainder uniformly at random over all K classes.
// - given labels: the true class, flipped for `--noise` of the rows (70 % of flips to the sibling class,
//   the rest to a random class), so sibling pairs are the overlapping classes.
// - embeddings, N × D float32 (656 MB at ImageNet size, resident): a 16-d latent per class
//   (centre ~ N(0, 1)), per row centre + N(0, 0.35²) noise, through one fixed random 16 × D map, plus
//   N(0, 0.02²) noise per dimension: low intrinsic dimension, like real embeddings.
// - `--dups` planted near-duplicate pairs (copy + 1e-3 noise): half carry a different given label
//   (conflicting), half the same.
//
// Stages (wall time and peak RSS of each): generate (labels + embeddings), label issues (thresholds,
// confident joint, issue mask, num_label_issues, plus per-row argmax and self-confidence), class health,
// overlapping classes, suggested corrections, kNN graph, conflicting duplicates. Prints a markdown table.
import { writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import * as insights from "@assay/insights";
import * as li from "@assay/label-issues";
import { createRng, knn, median } from "@assay/math";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1281167" },
    classes: { type: "string", default: "1000" },
    dim: { type: "string", default: "128" },
    latent: { type: "string", default: "16" },
    chunk: { type: "string", default: "8192" },
    noise: { type: "string", default: "0.08" },
    dups: { type: "string", default: "2000" },
    k: { type: "string", default: "5" },
    // Near-duplicates sit at tiny distances, so they are near in any projection: the candidate search runs
    // in a PCA space and cheap HNSW settings; every returned distance is still exact (re-ranked).
    hnsw: { type: "string", default: '{"searchDims":"auto","M":12,"efConstruction":40,"efSearch":24,"refine":0}' },
    seed: { type: "string", default: "0" },
    mode: { type: "string", default: "auto" },
    out: { type: "string" },
  },
});
const N = Number(args.rows);
const K = Number(args.classes);
const D = Number(args.dim);
const L = Number(args.latent);
const CHUNK = Number(args.chunk);
const NOISE = Number(args.noise);
const DUPS = Math.min(Number(args.dups), Math.floor(N / 4));
const KNN_K = Number(args.k);
const SEED = Number(args.seed);
const MEMORY_LIMIT_BYTES = 2 ** 31; // the in-memory path materialises N × K float32; refuse beyond 2 GiB
for (const [name, v] of Object.entries({ rows: N, classes: K, dim: D, latent: L, chunk: CHUNK, k: KNN_K })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a whole number ≥ 1 (got ${v})`);
}
if (!(NOISE >= 0 && NOISE < 1)) throw new Error(`--noise must be in [0, 1) (got ${NOISE})`);

// ---------------------------------------------------------------- measurement
const MiB = 1024 * 1024;
const stages = [];
let stagePeak = 0;
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > stagePeak) stagePeak = rss;
};
async function stage(name, fn, note = () => "") {
  globalThis.gc?.();
  stagePeak = 0;
  sample();
  const timer = setInterval(sample, 25);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  sample();
  const row = { name, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakMiB: stagePeak / MiB, note: note(value) };
  stages.push(row);
  console.error(`${name}: ${seconds.toFixed(1)} s (CPU ${row.cpuSeconds.toFixed(1)} s), peak RSS ${row.peakMiB.toFixed(0)} MiB${row.note ? ` — ${row.note}` : ""}`);
  return value;
}

// ---------------------------------------------------------------- data
const sibling = (k) => (k ^ 1) < K ? k ^ 1 : k;
const ROW_SEED = (SEED * 0x9e3779b1 + 0x7f4a7c15) >>> 0;
const LABEL_SEED = (SEED * 0x85ebca6b + 0x165667b1) >>> 0;

/** Labels, true classes and embeddings (with planted duplicate pairs). */
function generate() {
  const truth = new Int32Array(N);
  const labels = new Int32Array(N);
  const rng = createRng(LABEL_SEED);
  for (let i = 0; i < N; i++) {
    const t = rng.int(K);
    truth[i] = t;
    let y = t;
    if (rng.random() < NOISE) {
      if (rng.random() < 0.7 && sibling(t) !== t) y = sibling(t);
      else {
        y = rng.int(K - 1);
        if (y >= t) y++;
      }
    }
    labels[i] = y;
  }
  // planted duplicate pairs: b copies a (same true class); even pairs conflict (b gets another given label)
  const pairs = new Int32Array(2 * DUPS);
  const used = new Uint8Array(N);
  for (let p = 0; p < DUPS; p++) {
    let a;
    let b;
    do {
      a = rng.int(N);
      b = rng.int(N);
    } while (a === b || used[a] || used[b]);
    used[a] = used[b] = 1;
    pairs[2 * p] = a;
    pairs[2 * p + 1] = b;
    truth[b] = truth[a];
    if (p % 2 === 0) {
      let y = rng.int(K - 1);
      if (y >= labels[a]) y++;
      labels[b] = y;
    } else labels[b] = labels[a];
  }
  const centres = new Float32Array(K * L);
  for (let j = 0; j < centres.length; j++) centres[j] = rng.normal();
  const map = new Float32Array(L * D);
  for (let j = 0; j < map.length; j++) map[j] = rng.normal() / Math.sqrt(L);
  const data = new Float32Array(N * D);
  const z = new Float32Array(L);
  for (let i = 0; i < N; i++) {
    const c = truth[i] * L;
    for (let l = 0; l < L; l++) z[l] = centres[c + l] + 0.35 * rng.normal();
    const o = i * D;
    for (let d = 0; d < D; d++) data[o + d] = 0.02 * rng.normal();
    for (let l = 0; l < L; l++) {
      const zl = z[l];
      const m = l * D;
      for (let d = 0; d < D; d++) data[o + d] += zl * map[m + d];
    }
    if ((i & 0xffff) === 0) sample();
  }
  for (let p = 0; p < DUPS; p++) {
    const a = pairs[2 * p] * D;
    const b = pairs[2 * p + 1] * D;
    for (let d = 0; d < D; d++) data[b + d] = data[a + d] + 1e-3 * rng.normal();
  }
  return { truth, labels, pairs, embeddings: { rows: N, cols: D, data } };
}

/** Fill `out` (rows × K, row-major) with pred_probs rows `start … start + rows − 1`. */
function predProbsRows(truth, start, rows, out) {
  for (let r = 0; r < rows; r++) {
    const i = start + r;
    const rng = createRng((ROW_SEED + Math.imul(i, 0x27d4eb2f)) >>> 0);
    const t = truth[i];
    const top = 0.35 + 0.6 * rng.random();
    const second = rng.random() < 0.3 && sibling(t) !== t ? sibling(t) : rng.int(K);
    const secondMass = second === t ? 0 : (1 - top) * (0.2 + 0.6 * rng.random());
    const o = r * K;
    let s = 0;
    for (let k = 0; k < K; k++) {
      const w = rng.random();
      out[o + k] = w;
      s += w;
    }
    const scale = (1 - top - secondMass) / s;
    for (let k = 0; k < K; k++) out[o + k] *= scale;
    out[o + t] += top;
    out[o + second] += secondMass;
  }
}

/** Consecutive row chunks `{ start, matrix }` of the generated pred_probs (one reused buffer). */
function* chunks(truth) {
  const buf = new Float32Array(CHUNK * K);
  for (let start = 0; start < N; start += CHUNK) {
    const rows = Math.min(CHUNK, N - start);
    predProbsRows(truth, start, rows, buf);
    sample();
    yield { start, matrix: { rows, cols: K, data: rows === CHUNK ? buf : buf.subarray(0, rows * K) } };
  }
}

// ---------------------------------------------------------------- label issues
/** Per-row argmax and self-confidence from one chunk (what suggested corrections need). */
function rowQuantities(labels, start, m, suggested, selfConfidence) {
  const { rows, data } = m;
  for (let r = 0; r < rows; r++) {
    const o = r * K;
    let best = 0;
    let bv = data[o];
    for (let k = 1; k < K; k++) if (data[o + k] > bv) bv = data[o + (best = k)];
    suggested[start + r] = best;
    selfConfidence[start + r] = data[o + labels[start + r]];
  }
}

/**
 * The chunked label-issues API of @assay/label-issues (`findLabelIssuesChunked`, 3 passes over the rows for
 * the default prune_by_noise_rate), when this build has it: returns a function (labels, chunkFactory,
 * onFirstPassChunk) → { confidentJoint (uncalibrated K×K), mask, numIssues, passes }, else undefined.
 */
function streamingApi() {
  if (typeof li.findLabelIssuesChunked !== "function") return undefined;
  return async (labels, source, onFirstPass) => {
    const r = await li.findLabelIssuesChunked(
      labels,
      (pass) =>
        (function* () {
          for (const c of source()) {
            if (pass === 0) onFirstPass(c.start, c.matrix);
            yield c.matrix;
          }
        })(),
      { numClasses: K, onProgress: () => sample() },
    );
    return { confidentJoint: r.confidentJointUncalibrated, mask: r.mask, numIssues: r.numLabelIssues, passes: r.passes };
  };
}

async function labelIssues(truth, labels) {
  const mode = args.mode === "auto" ? (streamingApi() ? "stream" : "memory") : args.mode;
  const suggested = new Int32Array(N);
  const selfConfidence = new Float32Array(N);
  if (mode === "stream") {
    const api = streamingApi();
    if (!api) throw new Error("--mode stream: this @assay/label-issues build has no chunked (low-memory) API");
    const r = await api(labels, () => chunks(truth), (start, m) => rowQuantities(labels, start, m, suggested, selfConfidence));
    return { ...r, suggested, selfConfidence, mode: `stream, ${r.passes} passes` };
  }
  if (mode !== "memory") throw new Error(`--mode must be auto, stream or memory (got ${args.mode})`);
  if (N * K * 4 > MEMORY_LIMIT_BYTES) {
    throw new Error(`the in-memory path would hold ${((N * K * 4) / 2 ** 30).toFixed(1)} GiB of pred_probs; use --mode stream (needs the chunked @assay/label-issues API) or fewer --rows`);
  }
  const P = { rows: N, cols: K, data: new Float32Array(N * K) };
  for (const { start, matrix } of chunks(truth)) {
    P.data.set(matrix.data, start * K);
    rowQuantities(labels, start, matrix, suggested, selfConfidence);
  }
  const cj = li.computeConfidentJoint(labels, P);
  sample();
  const mask = li.findLabelIssues(labels, P);
  sample();
  const numIssues = li.numLabelIssues(labels, P);
  return { confidentJoint: cj.uncalibrated, mask, numIssues, suggested, selfConfidence, mode };
}

// ---------------------------------------------------------------- run
console.error(
  `bench-insights: ${N.toLocaleString("en")} rows × ${K} classes (pred_probs generated on the fly in ${CHUNK}-row chunks), ` +
    `${D}-d embeddings (${L}-d latent), noise ${NOISE}, ${DUPS} planted duplicate pairs, seed ${SEED}; ` +
    `${availableParallelism()} cores, Node ${process.versions.node}`,
);
const t0 = performance.now();
const data = await stage("generate labels + embeddings", generate, () => `${((N * D * 4) / MiB).toFixed(0)} MiB of embeddings`);
const { truth, labels, pairs, embeddings } = data;
const issues = await stage("label issues (thresholds, confident joint, mask)", () => labelIssues(truth, labels), (r) => {
  let flagged = 0;
  let flippedFound = 0;
  let flipped = 0;
  for (let i = 0; i < N; i++) {
    if (labels[i] !== truth[i]) flipped++;
    if (r.mask[i]) {
      flagged++;
      if (labels[i] !== truth[i]) flippedFound++;
    }
  }
  return `${r.mode}; ${flagged} flagged, num_label_issues ${r.numIssues}; recall of flipped labels ${((100 * flippedFound) / Math.max(1, flipped)).toFixed(1)}%, precision ${((100 * flippedFound) / Math.max(1, flagged)).toFixed(1)}%`;
});
const classNames = Array.from({ length: K }, (_, k) => `c${k}`);
const aggregated = { confidentJoint: issues.confidentJoint, labels, numLabelIssues: issues.numIssues, classNames };
const health = await stage("class health", () => ({
  score: insights.overallLabelHealthScore(aggregated),
  classes: insights.rankClassesByLabelQuality(aggregated),
}), (h) => `health ${h.score.score.toFixed(4)}; worst class ${h.classes[0].className} (quality ${h.classes[0].labelQuality.toFixed(3)})`);
const overlaps = await stage("overlapping classes", () => insights.findOverlappingClasses(aggregated), (o) => {
  const top = o.slice(0, 20);
  const siblings = top.filter((r) => sibling(r.classIndexA) === r.classIndexB).length;
  return `${o.length} pairs; ${siblings} of the top 20 are planted sibling pairs`;
});
const table = await stage("suggested corrections", () =>
  insights.suggestedCorrectionsFromRows({ labels, suggested: issues.suggested, selfConfidence: issues.selfConfidence, mask: issues.mask, numClasses: K, classNames }),
  (t) => `${t.totalRows} cells, ${t.numSuggested} suggested; top ${t.rows[0] ? `${t.rows[0].givenName} → ${t.rows[0].suggestedName} (${t.rows[0].count})` : "-"}`,
);
const graph = await stage("kNN graph (embeddings)", () => knn(embeddings, { k: KNN_K, metric: "euclidean", method: "auto", hnsw: JSON.parse(args.hnsw) }), (g) => `k ${g.k}, ${g.method} ${args.hnsw}`);
const dups = await stage("conflicting duplicates", () => {
  const first = new Float64Array(N);
  for (let i = 0; i < N; i++) first[i] = graph.distances[i * graph.k];
  const cutoff = 0.13 * median(first);
  const groups = insights.groupsFromKnn(graph, cutoff);
  return { cutoff, result: insights.conflictingDuplicates(groups, labels) };
}, ({ cutoff, result }) => {
  const found = new Set(result.conflicts.map((c) => c.members.join(",")));
  let planted = 0;
  let hit = 0;
  for (let p = 0; p < DUPS; p += 2) {
    planted++;
    const a = pairs[2 * p];
    const b = pairs[2 * p + 1];
    if (found.has(`${Math.min(a, b)},${Math.max(a, b)}`)) hit++;
  }
  return `cutoff ${cutoff.toExponential(2)}; ${result.summary.numConflicting} conflicting of ${result.summary.numGroups} groups; planted conflicting pairs found ${hit}/${planted}`;
});
const total = (performance.now() - t0) / 1000;
void health;
void overlaps;
void table;
void dups;

const maxRss = process.resourceUsage().maxRSS / 1024;
const date = new Date().toISOString().slice(0, 10);
const lines = [
  `### ${N.toLocaleString("en")} × ${K} pred_probs (generated on the fly, ${CHUNK}-row chunks, label issues: ${issues.mode}) + ${N.toLocaleString("en")} × ${D} embeddings — ${date}`,
  "",
  `Machine: ${availableParallelism()} cores, Node ${process.versions.node}, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} at the end. Command: \`node --expose-gc --max-old-space-size=12288 bench.mjs ${process.argv.slice(2).join(" ")}\`.`,
  "",
  "| stage | wall s | CPU s (all threads) | peak RSS (MiB) | notes |",
  "| --- | ---: | ---: | ---: | --- |",
  ...stages.map((s) => `| ${s.name} | ${s.seconds.toFixed(1)} | ${s.cpuSeconds.toFixed(1)} | ${s.peakMiB.toFixed(0)} | ${s.note} |`),
  `| **total** | **${total.toFixed(1)}** | **${stages.reduce((a, s) => a + s.cpuSeconds, 0).toFixed(1)}** | **${maxRss.toFixed(0)}** (process max) | target < 600 s, < 16384 MiB |`,
  "",
];
console.log(lines.join("\n"));
if (args.out) writeFileSync(args.out, `${lines.join("\n")}\n`);
