import { invalidInput, invalidOption } from "./errors.js";
import { argsortStable, numpyArgsort } from "@assay/math";
import { thresholdsOf } from "./thresholds.js";
import type { LabelQualityMethod, LabelsInput, ProbMatrix, ScoreArray } from "./types.js";
import { cweKernel, HELPER_MIN, normalizedMarginKernel, scanRange, selfConfidenceKernel } from "./kernels.js";
import { type Checked, checkInputs } from "./validate.js";

/** Options of {@link getLabelQualityScores}. */
export interface LabelQualityOptions {
  /** Default `"self_confidence"`. */
  method?: LabelQualityMethod;
  /**
   * Shift every column by its per-class threshold before scoring (`P − t + max t`, rows renormalised).
   * Default false; not allowed with `confidence_weighted_entropy`.
   */
  adjustPredProbs?: boolean;
}

const METHODS: readonly LabelQualityMethod[] = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"];

/**
 * Label quality score of every example (cleanlab `rank.get_label_quality_scores`): lower means more
 * likely mislabelled. Length N; a Float32Array for float32 pred_probs without `adjustPredProbs` (cleanlab's
 * dtype), else a Float64Array ({@link ScoreArray}).
 */
export function getLabelQualityScores(labels: LabelsInput, predProbs: ProbMatrix, options: LabelQualityOptions = {}): ScoreArray {
  // the value-range scan is fused into the scoring pass (one read of the matrix)
  const c = checkInputs(labels, predProbs, { allowOneClass: true, skipRange: true });
  return scoresOf(c, options.method ?? "self_confidence", options.adjustPredProbs ?? false, true);
}

/** Threshold-adjusted probabilities `P'[i][k] = (P[i][k] − t_k + max t) / rowsum` (cleanlab `_subtract_confident_thresholds`). */
export function adjustedProbs(c: Checked, thresholds?: Float64Array): Float64Array {
  const { P, n, K } = c;
  const t = thresholds ?? thresholdsOf(c);
  let maxT = -Infinity;
  for (let k = 0; k < K; k++) if (t[k]! > maxT) maxT = t[k]!;
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const b = i * K;
    let s = 0;
    for (let k = 0; k < K; k++) {
      const v = P[b + k]! - t[k]! + maxT;
      out[b + k] = v;
      s += v;
    }
    for (let k = 0; k < K; k++) out[b + k]! /= s;
  }
  return out;
}

/**
 * Internal: scores on validated inputs. With `checkRange` the value-range validation (skipped by
 * `checkInputs`) happens inside the scoring pass.
 */
export function scoresOf(c: Checked, method: LabelQualityMethod, adjust: boolean, checkRange = false, thresholds?: Float64Array): ScoreArray {
  if (!METHODS.includes(method)) {
    throw invalidOption(`unknown label quality method "${method}"; expected one of ${METHODS.join(", ")}`, { method });
  }
  if (adjust && method === "confidence_weighted_entropy") {
    throw invalidOption(`adjust_pred_probs is not supported with method "confidence_weighted_entropy"`, { method });
  }
  if (checkRange && adjust) scanRange(c.P, c.K);
  const P = adjust ? adjustedProbs(c, thresholds) : c.P;
  const { y, n, K } = c;
  // On a SharedArrayBuffer when large: a helper thread can then fill part of it (kernels.ts).
  const shared = n * K >= HELPER_MIN;
  let out: ScoreArray;
  if (P instanceof Float32Array) out = shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
  else out = shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  if (method === "self_confidence") {
    if (checkRange && !adjust) selfConfidenceKernel(P, y, 0, n, K, out, 0);
    else for (let i = 0; i < n; i++) out[i] = P[i * K + y[i]!]!;
  } else if (method === "normalized_margin") {
    normalizedMarginKernel(P, y, 0, n, K, out, 0);
  } else {
    cweKernel(P, y, 0, n, K, out, 0);
  }
  return out;
}

/** `−Σ p ln p / ln K` per row (0 ln 0 = 0); INVALID_INPUT when a value is outside [0, 1]. */
export function normalizedEntropy(P: ArrayLike<number>, n: number, K: number): Float64Array {
  const out = new Float64Array(n);
  const lnK = Math.log(K);
  for (let i = 0; i < n; i++) {
    let h = 0;
    for (let k = 0; k < K; k++) {
      const p = P[i * K + k]!;
      if (!(p >= 0 && p <= 1)) {
        throw invalidInput(`probability [${i}][${k}] = ${p} is outside [0, 1]; entropy needs valid probabilities`, { row: i, col: k });
      }
      if (p > 0) h -= p * Math.log(p);
    }
    out[i] = h / lnK;
  }
  return out;
}

/** The `top` indices with the smallest scores, most severe first (cleanlab `rank.find_top_issues`). */
export function findTopIssues(scores: ArrayLike<number>, top: number | null = 10): Int32Array {
  const order = argsortStable(scores);
  return top === null || top >= order.length ? order : order.slice(0, top);
}

/**
 * Sort flagged examples by label quality score, most likely mislabelled first (cleanlab
 * `rank.order_label_issues`). Scores are computed over the whole dataset.
 */
export function orderLabelIssues(
  mask: ArrayLike<number | boolean>,
  labels: LabelsInput,
  predProbs: ProbMatrix,
  rankBy: LabelQualityMethod = "self_confidence",
  rankByKwargs: { adjustPredProbs?: boolean } = {},
): Int32Array {
  const c = checkInputs(labels, predProbs, { allowOneClass: true });
  return orderOf(mask, c, rankBy, rankByKwargs.adjustPredProbs ?? false);
}

/** Internal: rank flagged indices on validated inputs. */
export function orderOf(mask: ArrayLike<number | boolean>, c: Checked, rankBy: LabelQualityMethod, adjust: boolean): Int32Array {
  const s = scoresOf(c, rankBy, adjust);
  const flagged: number[] = [];
  for (let i = 0; i < c.n; i++) if (mask[i]) flagged.push(i);
  // numpy's argsort order (ties as numpy leaves them), like cleanlab's order_label_issues
  const order = numpyArgsort(Float64Array.from(flagged, (i) => s[i]!));
  return Int32Array.from(order, (j) => flagged[j]!);
}

/** Options of {@link getLabelQualityEnsembleScores}. */
export interface EnsembleScoreOptions extends LabelQualityOptions {
  /** How models are weighted: `"accuracy"` (default), `"uniform"`, `"custom"` or `"log_loss_search"`. */
  weightEnsembleMembersBy?: "accuracy" | "uniform" | "custom" | "log_loss_search";
  /** Weights for `"custom"`, used as given. */
  customWeights?: ArrayLike<number>;
  /** Temperatures tried by `"log_loss_search"`. */
  logLossSearchTValues?: readonly number[];
}

/** Label quality scores averaged over several models' pred_probs (cleanlab `get_label_quality_ensemble_scores`). */
export function getLabelQualityEnsembleScores(
  labels: LabelsInput,
  predProbsList: readonly ProbMatrix[],
  options: EnsembleScoreOptions = {},
): Float64Array {
  if (predProbsList.length === 0) throw invalidInput("pred_probs_list must contain at least one matrix");
  const checked = predProbsList.map((p) => checkInputs(labels, p, { allowOneClass: true }));
  const first = checked[0]!;
  for (const c of checked) {
    if (c.K !== first.K) throw invalidInput(`every pred_probs matrix must have ${first.K} columns (got ${c.K})`);
  }
  const { n, K, y } = first;
  const method = options.method ?? "self_confidence";
  const by = options.weightEnsembleMembersBy ?? "accuracy";
  const M = checked.length;
  let weights: number[];
  if (by === "uniform") weights = checked.map(() => 1 / M);
  else if (by === "custom") {
    if (!options.customWeights || options.customWeights.length !== M) {
      throw invalidOption(`custom weighting needs customWeights with one weight per model (${M})`);
    }
    weights = Array.from(options.customWeights);
  } else if (by === "accuracy") {
    const acc = checked.map((c) => {
      let hits = 0;
      for (let i = 0; i < n; i++) if (argmaxRow(c.P, i, K) === y[i]) hits++;
      return hits / n;
    });
    const total = acc.reduce((a, b) => a + b, 0);
    weights = acc.map((a) => a / total);
  } else if (by === "log_loss_search") {
    const Ts = options.logLossSearchTValues ?? [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 200];
    const losses = checked.map((c) => {
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += Math.max(c.P[i * K + k]!, 1e-6);
        loss -= Math.log(Math.max(c.P[i * K + y[i]!]!, 1e-6) / s);
      }
      return loss / n;
    });
    let best = Infinity;
    weights = [];
    for (const T of Ts) {
      const raw = losses.map((l) => Math.exp(-T * l));
      const tot = raw.reduce((a, b) => a + b, 0);
      const w = raw.map((r) => r / tot);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let rowSum = 0;
        let py = 0;
        for (let k = 0; k < K; k++) {
          let v = 0;
          for (let m = 0; m < M; m++) v += w[m]! * checked[m]!.P[i * K + k]!;
          v = Math.min(Math.max(v, 1e-15), 1 - 1e-15);
          rowSum += v;
          if (k === y[i]) py = v;
        }
        loss -= Math.log(py / rowSum);
      }
      loss /= n;
      if (loss < best) {
        best = loss;
        weights = w;
      }
    }
  } else {
    throw invalidOption(`unknown weightEnsembleMembersBy "${by}"`);
  }
  const out = new Float64Array(n);
  checked.forEach((c, m) => {
    const s = scoresOf(c, method, options.adjustPredProbs ?? false);
    for (let i = 0; i < n; i++) out[i]! += weights[m]! * s[i]!;
  });
  return out;
}

/** argmax of row `i` (first index on ties). */
export function argmaxRow(P: ArrayLike<number>, i: number, K: number): number {
  const b = i * K;
  let best = 0;
  let bv = P[b]!;
  for (let k = 1; k < K; k++) {
    const v = P[b + k]!;
    if (v > bv) {
      bv = v;
      best = k;
    }
  }
  return best;
}
