import { knnQuery, median, Mt19937, normalCdf, quantile, std } from "@assay/math";
import { computeConfidentJoint, findLabelIssues, numLabelIssues } from "../confident-learning.js";
import { invalidInput, invalidOption } from "../errors.js";
import type { FeatureMatrix, NeighborGraph } from "../knn-graph.js";
import { estimateLatent } from "../latent.js";
import { OutOfDistribution, distanceToScore, meanNeighborDistance } from "../ood.js";
import { argmaxRow, getLabelQualityScores } from "../scores.js";
import { findOverlappingClasses, rankClassesByLabelQuality } from "../summary.js";
import { getConfidentThresholds } from "../thresholds.js";
import type { LabelQualityMethod, ProbMatrix } from "../types.js";
import { checkProbMatrix } from "../validate.js";
import { type CheckResult, checkResult } from "./types.js";

/** Options of {@link labelCheck}. */
export interface LabelCheckOptions {
  labels: Int32Array;
  predProbs?: ProbMatrix;
  /** Used (k-NN label distribution, Euclidean) when no pred_probs are given. */
  features?: FeatureMatrix;
  /** Neighbours of the features path (default 10). */
  k?: number;
  /** CleanLearning's `min_examples_per_class` (default 10). */
  minExamplesPerClass?: number;
  /** Score method (default self_confidence). */
  scoreMethod?: LabelQualityMethod;
  classNames?: readonly string[];
}

/** k-NN label distribution of the k other neighbours (Datalab label check, features path). */
export async function knnPredProbs(features: FeatureMatrix, labels: Int32Array, numClasses: number, k = 10): Promise<ProbMatrix> {
  const n = features.rows;
  if (k + 1 > n) throw invalidInput(`the label check needs more than k = ${k} examples for its k-NN probabilities (got ${n})`);
  const f32 = features.data instanceof Float32Array ? features.data : Float32Array.from(features.data);
  const m = { rows: n, cols: features.cols, data: f32 };
  const g = await knnQuery(m, m, { k: k + 1, metric: "euclidean", method: "exact" });
  const out = new Float64Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= k; j++) out[i * numClasses + labels[g.indices[i * (k + 1) + j]!]!]! += 1 / (k + 1);
    for (let c = 0; c < numClasses; c++) {
      const own = c === labels[i] ? 1 / (k + 1) : 0;
      out[i * numClasses + c] = ((out[i * numClasses + c]! - own) * (k + 1)) / k;
    }
  }
  return { rows: n, cols: numClasses, data: out };
}

/** Datalab `label` check (classification): confident learning with CleanLearning's defaults. */
export async function labelCheck(options: LabelCheckOptions): Promise<CheckResult> {
  const { labels } = options;
  let P = options.predProbs;
  let K = P?.cols ?? Math.max(options.classNames?.length ?? 0, maxOf(labels) + 1);
  if (!P) {
    if (!options.features) throw invalidInput("the label check needs pred_probs or features");
    P = await knnPredProbs(options.features, labels, K, options.k ?? 10);
  }
  K = P.cols;
  const cj = computeConfidentJoint(labels, P).joint;
  const mask = findLabelIssues(labels, P, {
    filterBy: "prune_by_noise_rate",
    minExamplesPerClass: options.minExamplesPerClass ?? 10,
    confidentJoint: cj,
  });
  const quality = getLabelQualityScores(labels, P, { method: options.scoreMethod ?? "self_confidence" });
  const scores = quality instanceof Float64Array ? quality : Float64Array.from(quality); // every check's scores are float64
  const n = labels.length;
  const numOff = numLabelIssues(labels, P);
  const latent = estimateLatent(cj, labels);
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) predicted[i] = argmaxRow(P.data, i, K);
  const classNames = options.classNames ? [...options.classNames] : undefined;
  const summaryInput = { labels, predProbs: P, ...(classNames ? { classNames } : {}) };
  let avg = 0;
  for (const s of scores) avg += s;
  const res = checkResult("label", scores, mask, 1 - numOff / n, {});
  Object.assign(res.info, {
    num_label_issues: res.numIssues,
    average_label_quality: avg / n,
    given_label: labels,
    predicted_label: predicted,
    classes_by_label_quality: rankClassesByLabelQuality(summaryInput),
    overlapping_classes: findOverlappingClasses(summaryInput),
    py: latent.py,
    noise_matrix: latent.noiseMatrix,
    inverse_noise_matrix: latent.inverseNoiseMatrix,
    confident_joint: cj,
    confident_thresholds: getConfidentThresholds(labels, P),
  });
  return res;
}

/** Options of {@link outlierCheck}. */
export interface OutlierCheckOptions {
  /** The shared kNN graph (features path; wins over pred_probs). */
  graph?: NeighborGraph;
  /** Whether the check knows the graph's metric (cleanlab applies the precision clean-up only then). Default true. */
  metricKnown?: boolean;
  predProbs?: ProbMatrix;
  labels?: Int32Array;
  /** τ (features default 0.37037, pred_probs default 0.13). */
  threshold?: number;
  t?: number;
  scalingFactor?: number;
}

/** Datalab `outlier` check: kNN distance scores with an IQR cut-off, or entropy of adjusted pred_probs. */
export async function outlierCheck(options: OutlierCheckOptions): Promise<CheckResult> {
  const t = options.t ?? 1;
  if (options.graph) {
    const g = options.graph;
    const a = meanNeighborDistance(g);
    let tau = options.threshold || 0.37037;
    if (options.threshold && !(options.threshold >= 0 && options.threshold <= 1)) {
      throw invalidOption(`outlier threshold must be in [0, 1] (got ${options.threshold})`);
    }
    if (options.threshold === 0) tau = 0;
    const q1 = quantile(a, 0.25);
    const q3 = quantile(a, 0.75);
    const issueThreshold = q3 + (1 / tau - 1) * (q3 - q1);
    const isIssue = Uint8Array.from(a, (v) => (v > issueThreshold ? 1 : 0));
    const sf = options.scalingFactor ?? Math.max(median(a), 100 * 2 ** -52);
    const scores = distanceToScore(a, sf, t, options.metricKnown ?? true ? g.metric : undefined);
    let mean = 0;
    for (const s of scores) mean += s;
    mean /= scores.length;
    return checkResult("outlier", scores, isIssue, mean, {
      k: g.k,
      t,
      metric: g.metric,
      scaling_factor: sf,
      issue_threshold: issueThreshold,
      threshold: tau,
      average_ood_score: mean,
      nearest_neighbor: Int32Array.from({ length: g.rows }, (_, i) => g.indices[i * g.k]!),
      distance_to_nearest_neighbor: Float64Array.from({ length: g.rows }, (_, i) => g.distances[i * g.k]!),
    });
  }
  if (!options.predProbs || !options.labels) throw invalidInput("the outlier check needs features / a kNN graph, or pred_probs with labels");
  const tau = options.threshold ?? 0.13;
  if (tau < 0) throw invalidOption(`outlier threshold must be ≥ 0 (got ${tau})`);
  const ood = new OutOfDistribution({ k: 10 });
  const scores = await ood.fitScore({ predProbs: options.predProbs, labels: options.labels });
  const issueThreshold = tau * median(scores);
  const isIssue = Uint8Array.from(scores, (s) => (s < issueThreshold ? 1 : 0));
  let mean = 0;
  for (const s of scores) mean += s;
  mean /= scores.length;
  return checkResult("outlier", scores, isIssue, mean, {
    threshold: tau,
    issue_threshold: issueThreshold,
    average_ood_score: mean,
    confident_thresholds: ood.confidentThresholds,
  });
}

/** Datalab `near_duplicate` check on the shared graph. */
export function nearDuplicateCheck(options: { graph: NeighborGraph; threshold?: number; onWarning?: (m: string) => void }): CheckResult {
  const g = options.graph;
  let threshold = options.threshold ?? 0.13;
  if (threshold < 0) {
    options.onWarning?.(`near_duplicate threshold ${threshold} is negative; using 0`);
    threshold = 0;
  }
  const n = g.rows;
  const k = g.k;
  const d = Float64Array.from({ length: n }, (_, i) => g.distances[i * k]!);
  const med = Math.max(median(d), 1e-6);
  const sets: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s: number[] = [];
    for (let j = 0; j < k; j++) if (g.distances[i * k + j]! < threshold * med) s.push(g.indices[i * k + j]!);
    sets.push(s);
  }
  for (let i = 0; i < n; i++) {
    const s = sets[i]!;
    for (let x = 0; x < s.length; x++) {
      const j = s[x]!;
      if (!sets[j]!.includes(i)) sets[j]!.push(i);
    }
  }
  const isIssue = Uint8Array.from(sets, (s) => (s.length > 0 ? 1 : 0));
  const scores = Float64Array.from(d, (v) => (Math.abs(v) <= 1e-8 ? 0 : 1 - Math.exp(-v / med)));
  let mean = 0;
  for (const s of scores) mean += s;
  mean /= n;
  return checkResult("near_duplicate", scores, isIssue, mean, {
    near_duplicate_sets: sets,
    average_near_duplicate_score: mean,
    metric: g.metric,
    k,
    threshold,
    nearest_neighbor: Int32Array.from({ length: n }, (_, i) => g.indices[i * k]!),
    distance_to_nearest_neighbor: d,
    median_distance_to_nearest_neighbor: median(d),
  });
}

/** Options of {@link nonIidCheck}. */
export interface NonIidOptions {
  graph: NeighborGraph;
  numPermutations?: number;
  seed?: number;
  significanceThreshold?: number;
}

/** Datalab `non_iid` check: a permutation test on neighbour index distances plus per-example scores. */
export function nonIidCheck(options: NonIidOptions): CheckResult {
  const g = options.graph;
  const N = g.rows;
  const kk = g.k;
  const numPerm = options.numPermutations ?? 25;
  const alpha = options.significanceThreshold ?? 0.05;
  // background CDF over index distances 1..N-1 (index 0 stands for numpy's index −1 → 1)
  const cdf = new Float64Array(N);
  const denom = (N * (N - 1)) / 2;
  let acc = 0;
  for (let dd = 1; dd < N; dd++) {
    acc += (N - dd) / denom;
    cdf[dd] = acc;
  }
  cdf[0] = cdf[N - 1]!;
  const L = N * kk;
  const dist = new Float64Array(L + 1);
  const ks = (perm: Int32Array | null): number => {
    for (let i = 0; i < N; i++) {
      const pi = perm ? perm[i]! : i;
      for (let j = 0; j < kk; j++) {
        const o = g.indices[i * kk + j]!;
        dist[i * kk + j] = Math.abs(pi - (perm ? perm[o]! : o));
      }
    }
    dist[L] = Number.POSITIVE_INFINITY;
    dist.sort();
    dist[L] = N - 1;
    let best = 0;
    for (let c = 0; c <= L; c++) {
      const v = Math.abs(c / L - cdf[dist[c]!]!);
      if (v > best) best = v;
    }
    return best;
  };
  const observed = ks(null);
  const rng = new Mt19937(options.seed ?? 0);
  const stats = new Float64Array(numPerm);
  for (let m = 0; m < numPerm; m++) stats[m] = ks(rng.permutation(N));
  const h = std(stats, 1) * numPerm ** (-1 / 5);
  if (!(h > 0)) throw invalidInput("non_iid: every permutation statistic is equal, so the kernel density estimate is undefined");
  let p = 0;
  for (let m = 0; m < numPerm; m++) p += normalCdf((100 - stats[m]!) / h) - normalCdf((observed - stats[m]!) / h);
  p /= numPerm;
  const scores = new Float64Array(N);
  const s = new Float64Array(kk + 1);
  const half = Math.floor((N - 1) / 2);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < kk; j++) s[j] = Math.abs(i - g.indices[i * kk + j]!);
    s[kk] = Number.POSITIVE_INFINITY;
    s.sort();
    s[kk] = N - 1;
    const D = i <= half ? i : N - 1 - i;
    const B = (v: number) => {
      if (v <= D) return (v * v) / (N - 1);
      if (v <= N - D - 1) return (D * D) / (N - 1) + (0.5 * (v + 3 * D) * (v - D)) / (N - 1);
      return (D * D) / (N - 1) + 0.5 * ((2 * D) / (N - 1) + 1) * (N - 2 * D - 1) + (v - (N - D - 1));
    };
    let stat = 0;
    let prevS = 0;
    let prevB = 0;
    for (let c = 0; c <= kk; c++) {
      const b = B(s[c]!);
      stat += Math.abs((c / kk) * (s[c]! - prevS) - (b - prevB));
      prevS = s[c]!;
      prevB = b;
    }
    scores[i] = 1 - Math.tanh(stat / Math.max(i, N - i));
  }
  const isIssue = new Uint8Array(N);
  if (p < alpha) {
    let arg = 0;
    for (let i = 1; i < N; i++) if (scores[i]! < scores[arg]!) arg = i;
    isIssue[arg] = 1;
  }
  return checkResult("non_iid", scores, isIssue, p, { "p-value": p, metric: g.metric, k: kk });
}

/** Datalab `class_imbalance` check. */
export function classImbalanceCheck(options: { labels: Int32Array; numClasses?: number; threshold?: number; classNames?: readonly string[] }): CheckResult {
  const { labels } = options;
  const n = labels.length;
  const counts = new Float64Array(maxOf(labels) + 1);
  for (const y of labels) counts[y]!++;
  let r = 0;
  for (let k = 1; k < counts.length; k++) if (counts[k]! < counts[r]!) r = k;
  const q = counts[r]! / n;
  const K = options.numClasses ?? options.classNames?.length ?? counts.length;
  const threshold = options.threshold ?? 0.1;
  const imbalanced = q < threshold * (1 / K);
  const scores = Float64Array.from(labels, (y) => (y === r ? q : 1));
  const isIssue = Uint8Array.from(labels, (y) => (imbalanced && y === r ? 1 : 0));
  return checkResult("class_imbalance", scores, isIssue, q, {
    threshold,
    "Rarest Class": imbalanced ? (options.classNames?.[r] ?? String(r)) : "NA",
    given_label: labels,
  });
}

/** Datalab `null` check on features that may contain NaN. */
export function nullCheck(options: { features: FeatureMatrix }): CheckResult {
  const { rows: n, cols: d, data } = options.features;
  const scores = new Float64Array(n);
  const isIssue = new Uint8Array(n);
  const colNulls = new Float64Array(d);
  const patterns = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    let nulls = 0;
    let pattern = "";
    for (let c = 0; c < d; c++) {
      const isNull = Number.isNaN(data[i * d + c]!);
      if (isNull) {
        nulls++;
        colNulls[c]!++;
      }
      pattern += isNull ? "1" : "0";
    }
    scores[i] = (d - nulls) / d;
    if (nulls === d) isIssue[i] = 1;
    if (nulls > 0) {
      let rows = patterns.get(pattern);
      if (!rows) patterns.set(pattern, (rows = []));
      rows.push(i);
    }
  }
  let best: [string, number[]] | undefined;
  for (const e of patterns) if (!best || e[1].length > best[1].length) best = e;
  let mean = 0;
  for (const s of scores) mean += s;
  mean /= n;
  return checkResult("null", scores, isIssue, mean, {
    average_null_score: mean,
    most_common_issue: best ? { pattern: best[0], rows_affected: best[1], count: best[1].length } : { pattern: "no_null", rows_affected: [], count: 0 },
    column_impact: Float64Array.from(colNulls, (v) => v / n),
  });
}

/** DBSCAN on a kNN graph as a precomputed sparse distance matrix (scikit-learn semantics). */
export function dbscanOnGraph(graph: NeighborGraph, eps = 0.5, minSamples = 5): Int32Array {
  const n = graph.rows;
  const k = graph.k;
  const nbhd: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s = [i];
    for (let j = 0; j < k; j++) if (graph.distances[i * k + j]! <= eps && graph.indices[i * k + j] !== i) s.push(graph.indices[i * k + j]!);
    nbhd.push(s);
  }
  const core = nbhd.map((s) => s.length >= minSamples);
  const labels = new Int32Array(n).fill(-1);
  let id = 0;
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1 || !core[start]) continue;
    const stack: number[] = [];
    let i = start;
    for (;;) {
      if (labels[i] === -1) {
        labels[i] = id;
        if (core[i]) for (const v of nbhd[i]!) if (labels[v] === -1) stack.push(v);
      }
      if (stack.length === 0) break;
      i = stack.pop()!;
    }
    id++;
  }
  return labels;
}

/** Options of {@link underperformingGroupCheck}. */
export interface UnderperformingGroupOptions {
  labels: Int32Array;
  predProbs: ProbMatrix;
  graph?: NeighborGraph;
  clusterIds?: ArrayLike<number>;
  threshold?: number;
  eps?: number;
  minSamples?: number;
  minClusterSamples?: number;
}

/** Datalab `underperforming_group` check: the worst DBSCAN cluster by mean self-confidence. */
export function underperformingGroupCheck(options: UnderperformingGroupOptions): CheckResult {
  const { labels, predProbs } = options;
  checkProbMatrix(predProbs);
  const n = labels.length;
  if (predProbs.rows !== n) throw invalidInput(`pred_probs has ${predProbs.rows} rows but there are ${n} labels`);
  const threshold = Math.max(options.threshold ?? 0.1, 0);
  let ids: Int32Array;
  let algorithm: string | null = null;
  if (options.clusterIds) {
    if (options.clusterIds.length !== n) throw invalidInput(`cluster_ids has ${options.clusterIds.length} entries; expected ${n}`);
    ids = Int32Array.from(options.clusterIds);
  } else {
    if (!options.graph) throw invalidInput("underperforming_group needs a kNN graph (features) or cluster_ids");
    ids = dbscanOnGraph(options.graph, options.eps ?? 0.5, options.minSamples ?? 5);
    algorithm = "DBSCAN";
  }
  const sizes = new Map<number, number>();
  for (const c of ids) if (c !== -1) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  const kept = [...sizes].filter(([, s]) => s >= (options.minClusterSamples ?? 5)).map(([c]) => c).sort((a, b) => a - b);
  if (kept.length === 0) throw invalidInput("underperforming_group: no cluster has at least min_cluster_samples examples");
  const keptSet = new Set(kept);
  const K = predProbs.cols;
  const sc = Float64Array.from({ length: n }, (_, i) => predProbs.data[i * K + labels[i]!]!);
  let total = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (keptSet.has(ids[i]!)) {
      total += sc[i]!;
      count++;
    }
  }
  const mean = total / count;
  const scores = new Float64Array(n).fill(1);
  let worst = 1;
  let worstId = -2;
  for (const c of kept) {
    let s = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (ids[i] === c) {
        s += sc[i]!;
        m++;
      }
    }
    const perf = s / m;
    if (perf < mean) {
      const ratio = perf / mean;
      for (let i = 0; i < n; i++) if (ids[i] === c) scores[i] = ratio;
      if (perf < worst) {
        worst = ratio;
        worstId = c;
      }
    }
  }
  const isIssue = Uint8Array.from(ids, (c) => (worst < threshold && c === worstId ? 1 : 0));
  return checkResult("underperforming_group", scores, isIssue, worst, {
    threshold,
    ...(options.graph ? { k: options.graph.k, metric: options.graph.metric } : {}),
    clustering: {
      algorithm,
      params: algorithm ? { metric: "precomputed" } : {},
      stats: { n_clusters: kept.length, cluster_ids: ids, underperforming_cluster_id: worstId },
    },
  });
}

/** Datalab `data_valuation` check: KNN-Shapley values from the first k graph neighbours. */
export function dataValuationCheck(options: { labels: Int32Array; graph: NeighborGraph; k?: number; threshold?: number }): CheckResult {
  const { labels, graph } = options;
  const k = options.k ?? 10;
  const threshold = options.threshold ?? 0.5;
  if (graph.k < k) throw invalidInput(`data_valuation needs at least k = ${k} neighbours per row; the graph has ${graph.k}`);
  const n = graph.rows;
  const total = new Float64Array(n);
  const match = new Float64Array(k);
  const v = new Map<number, number>();
  for (let a = 0; a < n; a++) {
    for (let j = 0; j < k; j++) match[j] = labels[graph.indices[a * graph.k + j]!] === labels[a] ? 1 : 0;
    v.clear();
    v.set(graph.indices[a * graph.k + k - 1]!, 0);
    let next = 0;
    for (let j = k - 2; j >= 0; j--) {
      const val = next + match[j]! - match[j + 1]!;
      v.set(graph.indices[a * graph.k + j]!, val);
      next = val;
    }
    for (const [x, val] of v) total[x]! += val;
  }
  const scores = Float64Array.from(total, (s) => 0.5 * (s / n / k + 1));
  const isIssue = Uint8Array.from(scores, (s) => (s < threshold ? 1 : 0));
  let mean = 0;
  for (const s of scores) mean += s;
  mean /= n;
  let flagged = 0;
  for (const f of isIssue) flagged += f;
  return checkResult("data_valuation", scores, isIssue, mean, {
    num_low_valuation_issues: flagged,
    average_data_valuation: mean,
    metric: graph.metric,
    k,
    threshold,
  });
}

function maxOf(a: ArrayLike<number>): number {
  let m = -1;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

