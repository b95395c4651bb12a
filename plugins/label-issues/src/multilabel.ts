import { markSmallestStable } from "@assay/math";
import { confidentJointOf, findLabelIssues } from "./confident-learning.js";
import { invalidInput, invalidOption } from "./errors.js";
import { scoresOf } from "./scores.js";
import { thresholdsOf } from "./thresholds.js";
import { FILTER_BY_MODES, type FilterBy, type LabelQualityMethod, type ProbMatrix, type WarningSink } from "./types.js";
import { type Checked, checkInputs, checkProbMatrix } from "./validate.js";

/** Multi-label labels: the list of classes present in each example (may be empty). */
export type MultiLabelsInput = readonly (readonly number[])[];

/** How per-class scores are combined into one score per example. */
export interface AggregatorOptions {
  /** `"exponential_moving_average"` (default) or `"softmin"`. */
  method?: "exponential_moving_average" | "softmin";
  /** EMA weight (default 0.8; `null` → 2/(K+1)). */
  alpha?: number | null;
  /** softmin temperature (default 0.1). */
  temperature?: number;
}

interface Prepared {
  readonly Y: Uint8Array;
  readonly P: Float32Array | Float64Array;
  readonly n: number;
  readonly K: number;
}

function prepare(labels: MultiLabelsInput, predProbs: ProbMatrix): Prepared {
  checkProbMatrix(predProbs);
  const { rows: n, cols: K, data } = predProbs;
  if (!Array.isArray(labels)) throw invalidInput("multi-label labels must be an array with one list of classes per example");
  if (labels.length !== n) throw invalidInput(`labels has ${labels.length} entries but pred_probs has ${n} rows`, { labels: labels.length, rows: n });
  const Y = new Uint8Array(n * K);
  for (let i = 0; i < n; i++) {
    const row = labels[i];
    if (!Array.isArray(row)) {
      throw invalidInput(`labels[${i}] is ${JSON.stringify(row)}; multi-label labels must be a list of classes per example`, { row: i });
    }
    for (const v of row) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= K) {
        throw invalidInput(`labels[${i}] contains ${JSON.stringify(v)}; classes must be integers in 0…${K - 1}`, { row: i });
      }
      Y[i * K + v] = 1;
    }
  }
  return { Y, P: data, n, K };
}

/** Binary view of class c: labels b (0/1) and probabilities [1 − p, p]. */
function binary(p: Prepared, c: number): { b: Int32Array; Q: ProbMatrix } {
  const { Y, P, n, K } = p;
  const b = new Int32Array(n);
  const Q = P instanceof Float32Array ? new Float32Array(n * 2) : new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    b[i] = Y[i * K + c]!;
    const v = P[i * K + c]!;
    Q[2 * i] = 1 - v;
    Q[2 * i + 1] = v;
  }
  return { b, Q: { rows: n, cols: 2, data: Q } };
}

function checkedBinary(p: Prepared, c: number): Checked {
  const { b, Q } = binary(p, c);
  return checkInputs(b, Q, { allowOneClass: true, skipRange: true });
}

/** Per-class thresholds, K×2 row-major (row c = thresholds of the binary problem "class c absent/present"). */
export function getMultiLabelConfidentThresholds(labels: MultiLabelsInput, predProbs: ProbMatrix): Float64Array {
  const p = prepare(labels, predProbs);
  const out = new Float64Array(p.K * 2);
  for (let c = 0; c < p.K; c++) out.set(thresholdsOf(checkedBinary(p, c)), 2 * c);
  return out;
}

/** Per-class confident joints, K×2×2 (calibrated unless `calibrate: false`). */
export function computeMultiLabelConfidentJoint(labels: MultiLabelsInput, predProbs: ProbMatrix, options: { calibrate?: boolean } = {}): Float64Array {
  const p = prepare(labels, predProbs);
  const out = new Float64Array(p.K * 4);
  for (let c = 0; c < p.K; c++) out.set(confidentJointOf(checkedBinary(p, c), undefined, options.calibrate ?? true).joint, 4 * c);
  return out;
}

/** Options of {@link getMultiLabelQualityScores}. */
export interface MultiLabelQualityOptions {
  /** Per-class base score (default `"self_confidence"`). */
  method?: LabelQualityMethod;
  adjustPredProbs?: boolean;
  aggregator?: AggregatorOptions;
}

/** Per-class binary scores, N×K row-major. */
export function getMultiLabelClassScores(labels: MultiLabelsInput, predProbs: ProbMatrix, options: MultiLabelQualityOptions = {}): Float64Array {
  return classScoresOf(prepare(labels, predProbs), options.method ?? "self_confidence", options.adjustPredProbs ?? false);
}

function classScoresOf(p: Prepared, method: LabelQualityMethod, adjust: boolean): Float64Array {
  const { n, K } = p;
  const out = new Float64Array(n * K);
  for (let c = 0; c < K; c++) {
    const s = scoresOf(checkedBinary(p, c), method, adjust);
    for (let i = 0; i < n; i++) out[i * K + c] = s[i]!;
  }
  return out;
}

/** Combine per-class scores (N×K) into one score per example. */
export function aggregateScores(classScores: ArrayLike<number>, n: number, K: number, options: AggregatorOptions = {}): Float64Array {
  const method = options.method ?? "exponential_moving_average";
  const out = new Float64Array(n);
  const row = new Float64Array(K);
  if (method === "exponential_moving_average") {
    const alpha = options.alpha === null ? 2 / (K + 1) : (options.alpha ?? 0.8);
    if (!(alpha >= 0 && alpha <= 1)) throw invalidOption(`alpha must be in [0, 1] (got ${alpha})`, { alpha });
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) row[k] = classScores[i * K + k]!;
      row.sort().reverse();
      let e = row[0]!;
      for (let t = 1; t < K; t++) e = alpha * row[t]! + (1 - alpha) * e;
      out[i] = e;
    }
  } else if (method === "softmin") {
    const T = Math.max(options.temperature ?? 0.1, 1e-6);
    for (let i = 0; i < n; i++) {
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        row[k] = (1 - classScores[i * K + k]!) / T;
        if (row[k]! > mx) mx = row[k]!;
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(row[k]! - mx);
      let s = 0;
      for (let k = 0; k < K; k++) s += classScores[i * K + k]! * (Math.exp(row[k]! - mx) / z);
      out[i] = s;
    }
  } else {
    throw invalidOption(`unknown aggregator method "${method}"; expected exponential_moving_average or softmin`);
  }
  return out;
}

/**
 * One label quality score per multi-label example (cleanlab
 * `multilabel_classification.rank.get_label_quality_scores`): per-class binary scores aggregated by EMA.
 */
export function getMultiLabelQualityScores(labels: MultiLabelsInput, predProbs: ProbMatrix, options: MultiLabelQualityOptions = {}): Float64Array {
  const p = prepare(labels, predProbs);
  return aggregateScores(classScoresOf(p, options.method ?? "self_confidence", options.adjustPredProbs ?? false), p.n, p.K, options.aggregator);
}

/** Options of {@link findMultiLabelIssues}. */
export interface FindMultiLabelIssuesOptions {
  filterBy?: FilterBy;
  fracNoise?: number;
  /** One count per class (or a scalar for every class). */
  numToRemovePerClass?: number | ArrayLike<number>;
  minExamplesPerClass?: number;
  /** Per-class confident joints, shape [K, 2, 2]; a [K, K] matrix is ignored with a warning. */
  confidentJoint?: { shape: readonly number[]; data: ArrayLike<number> };
  returnIndicesRankedBy?: LabelQualityMethod;
  rankByKwargs?: { adjustPredProbs?: boolean };
  onWarning?: WarningSink;
}

/** Per-class result masks of the multi-label search, N×K. */
export function findMultiLabelIssuesPerClass(labels: MultiLabelsInput, predProbs: ProbMatrix, options: FindMultiLabelIssuesOptions = {}): Uint8Array {
  const p = prepare(labels, predProbs);
  return perClassOf(p, options.filterBy ?? "prune_by_noise_rate", options);
}

function perClassOf(p: Prepared, filterBy: FilterBy, options: FindMultiLabelIssuesOptions): Uint8Array {
  const { n, K } = p;
  let joints: ArrayLike<number> | undefined;
  if (options.confidentJoint) {
    const { shape, data } = options.confidentJoint;
    if (shape.length === 3 && shape[0] === K && shape[1] === 2 && shape[2] === 2 && data.length === K * 4) joints = data;
    else if (shape.length === 2 && shape[0] === K && shape[1] === K) {
      options.onWarning?.("a K×K confident_joint is ignored for multi-label data; give per-class joints of shape (K, 2, 2)");
    } else throw invalidInput(`confident_joint of shape [${shape.join(", ")}] is invalid for multi-label data; expected [${K}, 2, 2]`);
  }
  const r = options.numToRemovePerClass;
  const out = new Uint8Array(n * K);
  for (let c = 0; c < K; c++) {
    const { b, Q } = binary(p, c);
    const opts = {
      filterBy,
      ...(options.fracNoise !== undefined ? { fracNoise: options.fracNoise } : {}),
      ...(options.minExamplesPerClass !== undefined ? { minExamplesPerClass: options.minExamplesPerClass } : {}),
      ...(joints ? { confidentJoint: Array.from({ length: 4 }, (_, j) => joints![4 * c + j]!) } : {}),
      ...(r !== undefined ? { numToRemovePerClass: [typeof r === "number" ? r : r[c]!, 0] } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    };
    const m = findLabelIssues(b, Q, opts);
    for (let i = 0; i < n; i++) out[i * K + c] = m[i]!;
  }
  return out;
}

/**
 * Multi-label label issues (cleanlab `multilabel_classification.filter.find_label_issues`): a length-N
 * mask, or with `returnIndicesRankedBy` the flagged indices ranked most severe first.
 */
export function findMultiLabelIssues(
  labels: MultiLabelsInput,
  predProbs: ProbMatrix,
  options: FindMultiLabelIssuesOptions & { returnIndicesRankedBy: LabelQualityMethod },
): Int32Array;
export function findMultiLabelIssues(labels: MultiLabelsInput, predProbs: ProbMatrix, options?: FindMultiLabelIssuesOptions): Uint8Array;
export function findMultiLabelIssues(labels: MultiLabelsInput, predProbs: ProbMatrix, options: FindMultiLabelIssuesOptions = {}): Uint8Array | Int32Array {
  const filterBy = options.filterBy ?? "prune_by_noise_rate";
  if (!FILTER_BY_MODES.includes(filterBy)) throw invalidOption(`unknown filter_by "${filterBy}"; expected one of ${FILTER_BY_MODES.join(", ")}`);
  const p = prepare(labels, predProbs);
  const { n, K } = p;
  const rankBy = options.returnIndicesRankedBy;
  const adjust = options.rankByKwargs?.adjustPredProbs ?? false;
  const mask = new Uint8Array(n);
  if (filterBy === "low_self_confidence" || filterBy === "low_normalized_margin") {
    const cl = perClassOf(p, "confident_learning", { ...options, filterBy: "confident_learning" });
    let m = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < K; c++) {
        if (cl[i * K + c]) {
          m++;
          break;
        }
      }
    }
    const s = aggregateScores(classScoresOf(p, "self_confidence", false), n, K);
    markSmallestStable(s, m, (i) => {
      mask[i] = 1;
    });
    if (rankBy === undefined) return mask;
    // cleanlab mixes two orders here; reproduced literally: E (by default score) permuted by argsort(S) (S in index order)
    const flagged: number[] = [];
    for (let i = 0; i < n; i++) if (mask[i]) flagged.push(i);
    const E = [...flagged].sort((a, b) => s[a]! - s[b]! || a - b);
    const rs = aggregateScores(classScoresOf(p, rankBy, adjust), n, K);
    const S = flagged.map((i) => rs[i]!);
    const order = S.map((_, j) => j).sort((a, b) => S[a]! - S[b]! || a - b);
    return Int32Array.from(order.map((j) => E[j]!));
  }
  const per = perClassOf(p, filterBy, options);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < K; c++) {
      if (per[i * K + c]) {
        mask[i] = 1;
        break;
      }
    }
  }
  if (rankBy === undefined) return mask;
  const rs = aggregateScores(classScoresOf(p, rankBy, adjust), n, K);
  const flagged: number[] = [];
  for (let i = 0; i < n; i++) if (mask[i]) flagged.push(i);
  flagged.sort((a, b) => rs[a]! - rs[b]! || a - b);
  return Int32Array.from(flagged);
}

/** Number of multi-label examples flagged by `confident_learning` (cleanlab `num_label_issues`, multi-label). */
export function numMultiLabelIssues(
  labels: MultiLabelsInput,
  predProbs: ProbMatrix,
  options: Pick<FindMultiLabelIssuesOptions, "confidentJoint" | "onWarning"> = {},
): number {
  const m = findMultiLabelIssues(labels, predProbs, { ...options, filterBy: "confident_learning" });
  return m.reduce((a, b) => a + b, 0);
}

/** Examples where some class's binary prediction (p > 0.5) disagrees with its label (standalone, no reduction). */
export function findMultiLabelPredictedNeqGiven(labels: MultiLabelsInput, predProbs: ProbMatrix): Uint8Array {
  const { Y, P, n, K } = prepare(labels, predProbs);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < K; c++) {
      const v = P[i * K + c]!;
      const pred = v > 1 - v ? 1 : 0;
      if (pred !== Y[i * K + c]) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}
