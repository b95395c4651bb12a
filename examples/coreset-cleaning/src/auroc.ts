/**
 * Area under the ROC curve, binary and macro one-vs-rest. Generic numerics that belong in @assay/math
 * (listed for the lead to move); kept here until then.
 */
import { AssayError, type Float32Matrix } from "@assay/core";

/**
 * Binary AUROC by the Mann–Whitney rank statistic: the probability that a random positive scores above a
 * random negative, ties counted as one half (average ranks), which equals scikit-learn's `roc_auc_score`.
 * @param scores higher = more likely positive
 * @param positive 1/true for positives, 0/false for negatives (same length as `scores`)
 * @returns the AUROC in [0, 1], or `NaN` when there are no positives or no negatives
 * @throws AssayError `INVALID_INPUT` on a length mismatch or a non-finite score
 */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<number | boolean>): number {
  const n = scores.length;
  if (positive.length !== n) {
    throw new AssayError("INVALID_INPUT", `auroc: ${n} scores but ${positive.length} labels`, { details: { scores: n, labels: positive.length } });
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) throw new AssayError("INVALID_INPUT", `auroc: score ${i} is ${s}`, { details: { index: i } });
    order[i] = i;
  }
  order.sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0; // sum of the (1-based, tie-averaged) ranks of the positives
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let j = start; j < end; j++) {
      if (positive[order[j]!]) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Macro one-vs-rest AUROC of class probabilities: the mean over classes of the binary AUROC of column c
 * against `y === c`, as scikit-learn's `roc_auc_score(y, P, multi_class="ovr", average="macro")`. Classes
 * absent from `y` (no positives) are left out of the mean.
 * @param probs n × K scores (e.g. predicted probabilities)
 * @param y true class per row, in 0..K−1
 * @throws AssayError `INVALID_INPUT` when `y` has the wrong length, a label is out of range, or fewer than
 * two classes are present
 */
export function macroAuroc(probs: Float32Matrix, y: Int32Array): number {
  const { rows: n, cols: k } = probs;
  if (y.length !== n) throw new AssayError("INVALID_INPUT", `macroAuroc: ${n} probability rows but ${y.length} labels`, { details: { rows: n, labels: y.length } });
  const column = new Float64Array(n);
  const positive = new Uint8Array(n);
  let total = 0;
  let counted = 0;
  for (let c = 0; c < k; c++) {
    let present = 0;
    for (let i = 0; i < n; i++) {
      const label = y[i]!;
      if (label < 0 || label >= k) throw new AssayError("INVALID_INPUT", `macroAuroc: label ${label} of row ${i} is outside 0..${k - 1}`, { details: { index: i } });
      column[i] = probs.data[i * k + c]!;
      positive[i] = label === c ? 1 : 0;
      present += positive[i]!;
    }
    if (present === 0) continue;
    total += auroc(column, positive);
    counted++;
  }
  if (counted < 2) throw new AssayError("INVALID_INPUT", `macroAuroc: needs at least two classes present in y, found ${counted}`);
  return total / counted;
}
