/*
 * Probability rows: softmax of logits and the check that rows are probability vectors.
 */

/** Row-wise softmax of a row-major `rows`×`cols` matrix, in place, max-shifted for stability. */
export function softmaxRows(data: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, data[o + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(data[o + c]! - max);
      data[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < cols; c++) data[o + c] = data[o + c]! / sum;
  }
}

/**
 * The first row that is not a probability vector (a negative or non-finite entry, or a sum farther
 * than `tolerance` from 1), with its sum; `undefined` when every row is one.
 */
export function firstNonProbabilityRow(
  data: Float32Array,
  rows: number,
  cols: number,
  tolerance = 1e-3,
): { row: number; sum: number } | undefined {
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    let ok = true;
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c]!;
      if (!(v >= 0) || !Number.isFinite(v)) ok = false;
      sum += v;
    }
    if (!ok || Math.abs(sum - 1) > tolerance) return { row: r, sum };
  }
  return undefined;
}
