import { markSmallestNumpy, numpyArgsort, roundHalfEven } from "@assay/math";
import { invalidInput, invalidOption } from "./errors.js";
import { argmaxRow, orderOf, scoresOf } from "./scores.js";
import { thresholdsOf } from "./thresholds.js";
import { FILTER_BY_MODES, type FilterBy, type LabelQualityMethod, type LabelsInput, type ProbMatrix, type WarningSink } from "./types.js";
import { confidentRowsKernel } from "./kernels.js";
import { PruneSelector, recomputeInMemory } from "./prune.js";
import { type Checked, checkInputs } from "./validate.js";

const FLOAT_EPS = 1e-6;
const TINY = 1e-100;

/** A K×K count or probability matrix, row-major (`rows` = given label, `cols` = guessed true label). */
export type SquareMatrix = Float64Array;

/** Result of {@link computeConfidentJoint}. */
export interface ConfidentJointResult {
  /** Number of classes (columns of pred_probs). */
  readonly numClasses: number;
  /** The confident joint C, K×K row-major (calibrated unless `calibrate: false`). */
  readonly joint: SquareMatrix;
  /** The uncalibrated counts (diagonal forced to ≥ 1). */
  readonly uncalibrated: SquareMatrix;
  /** Ascending indices of counted examples whose guessed class differs from the given label. */
  readonly offDiagonalIndices: Int32Array;
}

/** Options of {@link computeConfidentJoint}. */
export interface ConfidentJointOptions {
  /** Per-class thresholds (default: {@link getConfidentThresholds}). */
  thresholds?: ArrayLike<number>;
  /** Calibrate rows to the class counts (default true). */
  calibrate?: boolean;
}

/**
 * The confident joint (cleanlab `count.compute_confident_joint`): counts of (given label, confidently
 * guessed true label), with the calibrated matrix and the off-diagonal example indices.
 */
export function computeConfidentJoint(labels: LabelsInput, predProbs: ProbMatrix, options: ConfidentJointOptions = {}): ConfidentJointResult {
  const c = checkInputs(labels, predProbs, { allowOneClass: true });
  let t: Float64Array | undefined;
  if (options.thresholds) {
    if (options.thresholds.length !== c.K) {
      throw invalidInput(`thresholds has ${options.thresholds.length} values but pred_probs has ${c.K} columns`);
    }
    t = Float64Array.from(options.thresholds);
  }
  return confidentJointOf(c, t, options.calibrate ?? true);
}

/** Internal: the lowered thresholds `t_k − 1e-6` the confident sets compare against. */
export function lowerThresholdsOf(t: ArrayLike<number>, counts: Float64Array, f32: boolean, userThresholds: boolean): Float64Array {
  const K = t.length;
  // numpy compares float32 probabilities with float32 thresholds when every class is present.
  const allPresent = counts.every((v) => v > 0);
  const lower = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    lower[k] = f32 && allPresent && !userThresholds ? Math.fround(Math.fround(t[k]!) - FLOAT_EPS) : t[k]! - FLOAT_EPS;
  }
  return lower;
}

/** Internal: one validated pass giving the uncalibrated joint (diagonal ≥ 1), off-diagonal indices, reduce mask, argmax. */
export function rowPassOf(
  c: Checked,
  thresholds: Float64Array | undefined,
  want: { reduce?: boolean; argmax?: boolean } = {},
): { C: Float64Array; off: Int32Array; reduce?: Uint8Array; argmax?: Int32Array } {
  const { y, P, n, K, f32 } = c;
  const t = thresholds ?? thresholdsOf(c);
  const lower = lowerThresholdsOf(t, c.counts, f32, thresholds !== undefined);
  const acc = {
    C: new Float64Array(K * K),
    off: new Int32Array(n),
    offCount: 0,
    ...(want.reduce ? { reduce: new Uint8Array(n) } : {}),
    ...(want.argmax ? { argmax: new Int32Array(n) } : {}),
  };
  confidentRowsKernel(P, y, 0, n, K, lower, acc);
  const C = acc.C;
  for (let k = 0; k < K; k++) if (C[k * K + k]! < 1) C[k * K + k] = 1;
  return { C, off: acc.off.slice(0, acc.offCount), ...(acc.reduce ? { reduce: acc.reduce } : {}), ...(acc.argmax ? { argmax: acc.argmax } : {}) };
}

/** Internal: confident joint on validated inputs. */
export function confidentJointOf(c: Checked, thresholds: Float64Array | undefined, calibrate: boolean): ConfidentJointResult {
  const { C, off } = rowPassOf(c, thresholds);
  return {
    numClasses: c.K,
    joint: calibrate ? calibrateOf(C, c.counts, c.K) : C,
    uncalibrated: C,
    offDiagonalIndices: off,
  };
}

/**
 * Calibrate a confident joint so row k sums to the number of examples labelled k and the total is N
 * (cleanlab `count.calibrate_confident_joint`), then round preserving row totals.
 */
export function calibrateConfidentJoint(confidentJoint: ArrayLike<number>, labels: LabelsInput, numClasses?: number): SquareMatrix {
  const K = numClasses ?? Math.round(Math.sqrt(confidentJoint.length));
  if (K * K !== confidentJoint.length) throw invalidInput(`confident_joint has ${confidentJoint.length} values; expected K×K`);
  const counts = new Float64Array(K);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= K) throw invalidInput(`labels[${i}] is ${v}; expected a class in 0…${K - 1}`, { row: i });
    counts[v]!++;
  }
  return calibrateOf(Float64Array.from(confidentJoint), counts, K);
}

/** Internal: calibration given class counts. */
export function calibrateOf(C: ArrayLike<number>, counts: Float64Array, K: number): SquareMatrix {
  const A = new Float64Array(K * K);
  let total = 0;
  let N = 0;
  for (let i = 0; i < K; i++) {
    let r = 0;
    for (let j = 0; j < K; j++) r += C[i * K + j]!;
    const d = Math.max(r, TINY);
    for (let j = 0; j < K; j++) {
      const v = (C[i * K + j]! / d) * counts[i]!;
      A[i * K + j] = v;
      total += v;
    }
    N += counts[i]!;
  }
  const dt = Math.max(total, TINY);
  for (let i = 0; i < K * K; i++) A[i] = (A[i]! / dt) * N;
  return roundPreservingRowTotals(A, K, K);
}

/**
 * Round a vector to integers whose total is the rounded total (cleanlab `round_preserving_sum`),
 * with numpy's half-to-even rounding and its tie order.
 */
export function roundPreservingSum(values: ArrayLike<number>): Float64Array {
  const v = Float64Array.from(values);
  const L = v.length;
  const ints = v.map(roundHalfEven);
  let s = 0;
  for (let i = 0; i < L; i++) s += v[i]!;
  const target = roundHalfEven(s);
  let cur = 0;
  for (let i = 0; i < L; i++) cur += ints[i]!;
  let guard = 0;
  while (Math.abs(cur - target) > FLOAT_EPS && guard++ < 1000) {
    const diff = roundHalfEven(target - cur);
    const inc = diff < 0 ? -1 : 1;
    const m = Math.min(Math.abs(diff), L);
    const e = new Float64Array(L);
    for (let i = 0; i < L; i++) e[i] = v[i]! - ints[i]!;
    // numpy's argsort of the residuals (stable up to 16 entries, introsort order beyond), reversed for +1
    const order = numpyArgsort(e);
    if (inc === 1) order.reverse();
    for (let r = 0; r < m; r++) ints[order[r]!]! += inc;
    cur = 0;
    for (let i = 0; i < L; i++) cur += ints[i]!;
  }
  return ints;
}

/** {@link roundPreservingSum} applied to every row of a rows×cols matrix. */
export function roundPreservingRowTotals(m: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) row[c] = m[r * cols + c]!;
    out.set(roundPreservingSum(row), r * cols);
  }
  return out;
}

/** Options of {@link estimateJoint}. */
export interface EstimateJointOptions {
  /** A confident joint to use (calibrated against the labels) instead of computing one. */
  confidentJoint?: ArrayLike<number>;
}

/** The estimated joint distribution of (given, true) labels: the calibrated confident joint divided by its total. */
export function estimateJoint(labels: LabelsInput, predProbs: ProbMatrix, options: EstimateJointOptions = {}): SquareMatrix {
  const c = checkInputs(labels, predProbs, { allowOneClass: true });
  return jointOf(c, options.confidentJoint);
}

/** Internal: estimate_joint on validated inputs. */
export function jointOf(c: Checked, confidentJoint: ArrayLike<number> | undefined): SquareMatrix {
  const K = c.K;
  let C: ArrayLike<number>;
  if (confidentJoint === undefined) C = confidentJointOf(c, undefined, true).joint;
  else {
    checkSquare(confidentJoint, K, "confident_joint");
    C = calibrateOf(confidentJoint, c.counts, K);
  }
  return normalizeTotal(C);
}

/** Divide a matrix by max(its total, 1e-100). */
export function normalizeTotal(C: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < C.length; i++) s += C[i]!;
  const d = Math.max(s, TINY);
  return Float64Array.from(C, (v) => v / d);
}

function checkSquare(m: ArrayLike<number>, K: number, name: string): void {
  if (m.length !== K * K) throw invalidInput(`${name} has ${m.length} values but pred_probs has ${K} classes, so it must be ${K}×${K}`);
}

/**
 * cleanlab's `_reduce_issues` mask: true when the given label's probability (bumped by 1e-6) wins the
 * row's argmax. Such examples are never flagged (except by the `low_*` modes).
 */
export function reduceMaskOf(c: Checked): Uint8Array {
  const { y, P, n, K, f32 } = c;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const b = i * K;
    const yi = y[i]!;
    const bumped = f32 ? Math.fround(P[b + yi]! + FLOAT_EPS) : P[b + yi]! + FLOAT_EPS;
    let ok = 1;
    for (let k = 0; k < yi; k++) {
      if (P[b + k]! >= bumped) {
        ok = 0;
        break;
      }
    }
    if (ok) {
      for (let k = yi + 1; k < K; k++) {
        if (P[b + k]! > bumped) {
          ok = 0;
          break;
        }
      }
    }
    out[i] = ok;
  }
  return out;
}

/** How {@link numLabelIssues} counts. */
export type EstimationMethod = "off_diagonal" | "off_diagonal_calibrated" | "off_diagonal_custom";

/** Options of {@link numLabelIssues}. */
export interface NumLabelIssuesOptions {
  /** Default `"off_diagonal"`. */
  estimationMethod?: EstimationMethod;
  /** Required by `"off_diagonal_custom"`; ignored (with a warning) by the other methods. */
  confidentJoint?: ArrayLike<number>;
  onWarning?: WarningSink;
}

/** Estimated number of label issues (cleanlab `count.num_label_issues`). */
export function numLabelIssues(labels: LabelsInput, predProbs: ProbMatrix, options: NumLabelIssuesOptions = {}): number {
  const c = checkInputs(labels, predProbs, { allowOneClass: true });
  return numIssuesOf(c, options);
}

/** Internal: num_label_issues on validated inputs. */
export function numIssuesOf(c: Checked, options: NumLabelIssuesOptions = {}): number {
  const method = options.estimationMethod ?? "off_diagonal";
  if (method === "off_diagonal_custom") {
    if (options.confidentJoint === undefined) {
      throw invalidOption(`estimation_method "off_diagonal_custom" needs a confident_joint`, { estimationMethod: method });
    }
    return roundHalfEven((1 - trace(jointOf(c, options.confidentJoint), c.K)) * c.n);
  }
  if (method !== "off_diagonal" && method !== "off_diagonal_calibrated") {
    throw invalidOption(
      `unknown estimation_method "${method}"; expected off_diagonal, off_diagonal_calibrated or off_diagonal_custom`,
      { estimationMethod: method },
    );
  }
  if (options.confidentJoint !== undefined) {
    options.onWarning?.(`confident_joint is ignored by estimation_method "${method}"; it is only used by "off_diagonal_custom"`);
  }
  if (method === "off_diagonal_calibrated") {
    return roundHalfEven((1 - trace(jointOf(c, undefined), c.K)) * c.n);
  }
  const { off, reduce } = rowPassOf(c, undefined, { reduce: true });
  let count = 0;
  for (const i of off) if (!reduce![i]) count++;
  return count;
}

function trace(m: ArrayLike<number>, K: number): number {
  let s = 0;
  for (let k = 0; k < K; k++) s += m[k * K + k]!;
  return s;
}

/**
 * cleanlab `_keep_at_least_n_per_class` on a prune-count matrix `M = Cᵀ` (column k = given class k):
 * raise each diagonal entry to at least `n` taking the difference evenly from the column's noise rates,
 * scale noise rates by `frac`, truncate to integers.
 */
export function keepAtLeast(M: ArrayLike<number>, numClasses: number, n: number, frac = 1): Float64Array {
  const K = numClasses;
  checkSquare(M, K, "prune_count_matrix");
  const out = new Float64Array(K * K);
  for (let j = 0; j < K; j++) {
    const d = M[j * K + j]!;
    const dNew = Math.max(d, n);
    const delta = dNew - d;
    let nz = 0;
    for (let i = 0; i < K; i++) if (M[i * K + j]! !== 0) nz++;
    const cj = Math.max(nz - 1, 1);
    for (let i = 0; i < K; i++) {
      const v = M[i * K + j]! - delta / cj;
      out[i * K + j] = v < 0 ? 0 : v;
    }
    out[j * K + j] = dNew;
    // fraction reduction of the noise rates, preserving the column total
    let moved = 0;
    for (let i = 0; i < K; i++) {
      if (i === j) continue;
      const v = out[i * K + j]!;
      const r = v * frac;
      moved += v - r;
      out[i * K + j] = r;
    }
    out[j * K + j] = dNew + moved;
  }
  for (let i = 0; i < K * K; i++) out[i] = Math.trunc(out[i]!);
  return roundPreservingRowTotals(out, K, K);
}

/** Options of {@link findLabelIssues}. */
export interface FindLabelIssuesOptions {
  /** Default `"prune_by_noise_rate"`. */
  filterBy?: FilterBy;
  /** Fraction of the estimated issues to flag in the pruning modes (default 1). */
  fracNoise?: number;
  /** Exactly how many to remove per class in the pruning modes (scalar or one per class). */
  numToRemovePerClass?: number | ArrayLike<number>;
  /** Classes with at most this many examples are not pruned (default 1). */
  minExamplesPerClass?: number;
  /** A K×K confident joint to use in the pruning modes instead of computing the calibrated one. */
  confidentJoint?: ArrayLike<number>;
  /** Return flagged indices ranked by this score (most likely mislabelled first) instead of a mask. */
  returnIndicesRankedBy?: LabelQualityMethod;
  /** Options of the ranking score. */
  rankByKwargs?: { adjustPredProbs?: boolean };
  /** Receives cleanlab's warnings. */
  onWarning?: WarningSink;
}

/**
 * Find label issues by confident learning (cleanlab `filter.find_label_issues`, single-label). Returns a
 * length-N mask (1 = likely label issue), or with `returnIndicesRankedBy` the flagged indices ranked
 * most severe first.
 */
export function findLabelIssues(
  labels: LabelsInput,
  predProbs: ProbMatrix,
  options: FindLabelIssuesOptions & { returnIndicesRankedBy: LabelQualityMethod },
): Int32Array;
export function findLabelIssues(labels: LabelsInput, predProbs: ProbMatrix, options?: FindLabelIssuesOptions): Uint8Array;
export function findLabelIssues(labels: LabelsInput, predProbs: ProbMatrix, options: FindLabelIssuesOptions = {}): Uint8Array | Int32Array {
  const filterBy = options.filterBy ?? "prune_by_noise_rate";
  if (!FILTER_BY_MODES.includes(filterBy)) {
    throw invalidOption(`unknown filter_by "${filterBy}"; expected one of ${FILTER_BY_MODES.join(", ")}`, { filterBy });
  }
  // the value-range scan is fused into the first pass over the matrix (every mode makes one)
  const c = checkInputs(labels, predProbs, { allowOneClass: "zeros", skipRange: true });
  const mask = labelIssuesMaskOf(c, filterBy, options);
  if (options.returnIndicesRankedBy !== undefined) {
    return orderOf(mask, c, options.returnIndicesRankedBy, options.rankByKwargs?.adjustPredProbs ?? false);
  }
  return mask;
}

const PRUNING: readonly FilterBy[] = ["prune_by_noise_rate", "prune_by_class", "both"];

/** Internal: the boolean mask of find_label_issues on validated inputs. */
export function labelIssuesMaskOf(c: Checked, filterBy: FilterBy, options: FindLabelIssuesOptions): Uint8Array {
  const warn = options.onWarning ?? (() => {});
  const { n, K, y, P } = c;
  const frac = options.fracNoise ?? 1;
  const minEx = options.minExamplesPerClass ?? 1;
  checkFilterOptions(filterBy, options, K, warn);
  const mask = new Uint8Array(n);
  if (filterBy === "low_self_confidence" || filterBy === "low_normalized_margin") {
    const s = scoresOf(c, filterBy === "low_self_confidence" ? "self_confidence" : "normalized_margin", false, true);
    const m = numIssuesOf(c);
    markSmallestNumpy(s, m, (i: number) => {
      mask[i] = 1;
    });
    return mask;
  }
  const pass = rowPassOf(c, undefined, { reduce: true, argmax: filterBy === "predicted_neq_given" });
  if (filterBy === "predicted_neq_given") {
    const am = pass.argmax!;
    for (let i = 0; i < n; i++) if (am[i] !== y[i]) mask[i] = 1;
  } else if (filterBy === "confident_learning") {
    for (const i of pass.off) mask[i] = 1;
  } else {
    const C = options.confidentJoint !== undefined ? Float64Array.from(options.confidentJoint) : calibrateOf(pass.C, c.counts, K);
    const M = pruneCountMatrix(C, K, minEx, frac, options.numToRemovePerClass, c.counts);
    const eligible = eligibleClasses(c.counts, minEx, warn);
    const byC = filterBy === "prune_by_class" || filterBy === "both";
    const byN = filterBy === "prune_by_noise_rate" || filterBy === "both";
    const sel = new PruneSelector(K, y, c.counts, M, eligible, byN, byC, c.f32);
    sel.add({ P, start: 0, rows: n });
    const { byNoise, byClass } = sel.finish(n, recomputeInMemory(P, K, y));
    for (let i = 0; i < n; i++) mask[i] = byC && byN ? byClass[i]! & byNoise[i]! : byC ? byClass[i]! : byNoise[i]!;
  }
  const reduce = pass.reduce!;
  for (let i = 0; i < n; i++) if (reduce[i]) mask[i] = 0;
  return mask;
}

/** Internal: cleanlab's option checks of find_label_issues (warnings for ignored options, errors for invalid ones). */
export function checkFilterOptions(filterBy: FilterBy, options: FindLabelIssuesOptions, K: number, warn: WarningSink): void {
  const pruning = PRUNING.includes(filterBy);
  if (!pruning && ((options.fracNoise ?? 1) !== 1 || options.numToRemovePerClass !== undefined)) {
    warn(`frac_noise and num_to_remove_per_class are only supported by prune_by_noise_rate, prune_by_class and both; filter_by "${filterBy}" ignores them`);
  }
  if (!pruning && options.numToRemovePerClass !== undefined) {
    throw invalidOption(`num_to_remove_per_class cannot be used with filter_by "${filterBy}"; use prune_by_noise_rate, prune_by_class or both`, {
      filterBy,
    });
  }
  if (filterBy === "confident_learning" && options.confidentJoint !== undefined) {
    warn(`filter_by "confident_learning" ignores the supplied confident_joint and computes its own`);
  }
  if (options.confidentJoint !== undefined) checkSquare(options.confidentJoint, K, "confident_joint");
}

/** Internal: the prune-count matrix `keepAtLeast(Cᵀ)` (then the `num_to_remove_per_class` rescaling). */
export function pruneCountMatrix(
  C: ArrayLike<number>,
  K: number,
  minEx: number,
  frac: number,
  numToRemove: number | ArrayLike<number> | undefined,
  counts: Float64Array,
): Float64Array {
  const M0 = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) M0[i * K + j] = C[j * K + i]!;
  let M = keepAtLeast(M0, K, minEx, frac);
  if (numToRemove !== undefined) M = applyNumToRemove(M, K, numToRemove, counts);
  return M;
}

/** Internal: classes the pruning modes consider (m_k > min_examples_per_class and m_k > 1), warning about the others. */
export function eligibleClasses(counts: Float64Array, minEx: number, warn: WarningSink): Uint8Array {
  const K = counts.length;
  const out = new Uint8Array(K);
  for (let k = 0; k < K; k++) {
    const m = counts[k]!;
    if (m === 0) continue;
    if (m <= minEx) {
      warn(`May not flag all label issues in class: ${k}, it has too few examples (see argument: min_examples_per_class)`);
      continue;
    }
    if (m > 1) out[k] = 1;
  }
  return out;
}

function applyNumToRemove(M: Float64Array, K: number, num: number | ArrayLike<number>, counts: Float64Array): Float64Array {
  const r = typeof num === "number" ? new Float64Array(K).fill(num) : Float64Array.from(num);
  if (r.length !== K) throw invalidOption(`num_to_remove_per_class has ${r.length} entries; expected ${K} (one per class)`);
  const rs = new Float64Array(K);
  for (let j = 0; j < K; j++) for (let l = 0; l < K; l++) rs[j]! += M[j * K + l]!;
  const T = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    let q = 0;
    for (let j = 0; j < K; j++) if (j !== i) q += M[i * K + j]! / rs[j]!;
    for (let j = 0; j < K; j++) T[i * K + j] = ((M[i * K + j]! / rs[j]!) * r[i]!) / q;
    T[i * K + i] = counts[i]! - r[i]!;
  }
  return roundPreservingRowTotals(T, K, K);
}

/**
 * Examples whose argmax prediction differs from the given label (cleanlab `filter.find_predicted_neq_given`,
 * standalone: no near-tie reduction).
 */
export function findPredictedNeqGiven(labels: LabelsInput, predProbs: ProbMatrix): Uint8Array {
  const c = checkInputs(labels, predProbs, { allowOneClass: true });
  const out = new Uint8Array(c.n);
  for (let i = 0; i < c.n; i++) if (argmaxRow(c.P, i, c.K) !== c.y[i]) out[i] = 1;
  return out;
}

/**
 * Baseline: confident learning with the argmax confusion matrix as the confident joint
 * (cleanlab `filter.find_label_issues_using_argmax_confusion_matrix`).
 */
export function findLabelIssuesUsingArgmaxConfusionMatrix(
  labels: LabelsInput,
  predProbs: ProbMatrix,
  options: { calibrate?: boolean; filterBy?: FilterBy } = {},
): Uint8Array {
  const c = checkInputs(labels, predProbs, { allowOneClass: "zeros" });
  const { n, K, y, P } = c;
  const C = new Float64Array(K * K);
  for (let i = 0; i < n; i++) C[y[i]! * K + argmaxRow(P, i, K)]!++;
  const cj = options.calibrate ?? true ? calibrateOf(C, c.counts, K) : C;
  return labelIssuesMaskOf(c, options.filterBy ?? "prune_by_noise_rate", { confidentJoint: cj });
}
