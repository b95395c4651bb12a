/*
 * Ranking metrics: area under the ROC curve, binary and one-vs-rest multiclass.
 */
import type { Float32Matrix } from "@assay/core";
import { invalidInput } from "./errors.js";
import { assertMatrix } from "./matrix.js";

/**
 * AUC of `score` (read through `get(i)`) for the positive set `pos` (1 = positive), with tied
 * scores counted as half a correctly ordered pair (the trapezoidal ROC area). Counts are integers
 * until the final division, so the result is exact up to one rounding.
 */
function aucCore(fn: string, what: string, n: number, get: (i: number) => number, pos: Uint8Array): number {
  const s = new Float64Array(n);
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    if (typeof v !== "number" || Number.isNaN(v)) throw invalidInput(fn, `${what} of sample ${i} is not a number (${String(v)})`, { sample: i });
    s[i] = v;
    nPos += pos[i]!;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => s[a]! - s[b]!);
  // Walk tie groups in ascending score: each positive beats every negative below its group and
  // half-beats the negatives inside it.
  let negBelow = 0;
  let pairs = 0;
  for (let g0 = 0; g0 < n; ) {
    const v = s[order[g0]!]!;
    let g1 = g0;
    let p = 0;
    while (g1 < n && s[order[g1]!]! === v) p += pos[order[g1++]!]!;
    const q = g1 - g0 - p;
    pairs += p * negBelow + 0.5 * p * q;
    negBelow += q;
    g0 = g1;
  }
  return pairs / (nPos * nNeg);
}

/**
 * Area under the ROC curve of `scores` for a binary problem: the probability that a random
 * positive scores above a random negative, ties counting one half — scikit-learn's
 * `roc_auc_score(positives, scores)` (whose trapezoidal ROC area treats ties the same way).
 * ±Infinity scores are allowed.
 *
 * @param scores one score per sample, higher = more likely positive.
 * @param positives truthy (true / non-zero) for the positive samples.
 * @throws AssayError `INVALID_INPUT` on a length mismatch, a NaN score, or when only one class is present.
 */
export function rocAuc(scores: ArrayLike<number>, positives: ArrayLike<boolean | number>): number {
  const fn = "rocAuc";
  const n = scores.length;
  if (positives.length !== n) throw invalidInput(fn, `dimension mismatch: ${n} scores, ${positives.length} positives flags`);
  const pos = new Uint8Array(n);
  for (let i = 0; i < n; i++) pos[i] = positives[i] ? 1 : 0;
  const auc = aucCore(fn, "score", n, (i) => scores[i]!, pos);
  if (Number.isNaN(auc)) throw invalidInput(fn, "only one class is present (ROC AUC is undefined)");
  return auc;
}

/**
 * Macro-averaged one-vs-rest ROC AUC of class probabilities: the mean over classes c of
 * {@link rocAuc}(column c, labels == c) — scikit-learn's
 * `roc_auc_score(labels, predProbs, multi_class="ovr", average="macro")`. Column c belongs to label
 * c. Unlike scikit-learn, rows need not sum to 1 (the result is the same when they do).
 *
 * @throws AssayError `INVALID_INPUT` when the matrix is empty or has < 2 columns, lengths differ, a
 * label is outside [0, cols), a class has no sample (its AUC is undefined), or a value is NaN.
 */
export function macroRocAucOvr(predProbs: Float32Matrix, labels: ArrayLike<number>): number {
  const fn = "macroRocAucOvr";
  assertMatrix(predProbs, "predProbs", fn);
  const { rows: n, cols: K, data } = predProbs;
  if (K < 2) throw invalidInput(fn, `predProbs needs at least 2 columns, got ${K}`);
  if (labels.length !== n) throw invalidInput(fn, `dimension mismatch: predProbs has ${n} rows, labels has ${labels.length} entries`);
  const counts = new Int32Array(K);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= K) throw invalidInput(fn, `label ${String(c)} of sample ${i} is outside [0, ${K})`, { sample: i });
    counts[c]!++;
  }
  for (let c = 0; c < K; c++) {
    if (counts[c] === 0) throw invalidInput(fn, `class ${c} has no sample, so its one-vs-rest AUC is undefined`, { class: c });
    if (counts[c] === n) throw invalidInput(fn, `only class ${c} is present (ROC AUC is undefined)`, { class: c });
  }
  const pos = new Uint8Array(n);
  let total = 0;
  for (let c = 0; c < K; c++) {
    for (let i = 0; i < n; i++) pos[i] = labels[i] === c ? 1 : 0;
    total += aucCore(fn, `predProbs column ${c}`, n, (i) => data[i * K + c]!, pos);
  }
  return total / K;
}
