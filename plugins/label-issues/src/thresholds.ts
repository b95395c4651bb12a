import { isKernelResident } from "@assay/math";
import { rowsKernel } from "./rows-wasm.js";
import type { LabelsInput, ProbMatrix } from "./types.js";
import { type Checked, checkInputs } from "./validate.js";

/**
 * Per-class confident thresholds (cleanlab `count.get_confident_thresholds`): the mean predicted
 * probability of class k over examples labelled k; 2 for classes absent from labels; floored at 2e-6.
 */
export function getConfidentThresholds(labels: LabelsInput, predProbs: ProbMatrix): Float64Array {
  return thresholdsOf(checkInputs(labels, predProbs, { allowOneClass: true }));
}

/** Internal: thresholds on validated inputs. */
export function thresholdsOf(c: Checked): Float64Array {
  const { y, P, n, K, counts } = c;
  const sums = new Float64Array(K);
  const wk = P instanceof Float32Array && n * K >= 4096 ? rowsKernel(K) : null;
  if (wk && !isKernelResident(P)) {
    // one value per row: gathered from block copies, which stream the matrix instead of one cache miss per row
    for (let r0 = 0; r0 < n; r0 += wk.R) {
      const nr = Math.min(wk.R, n - r0);
      const block = wk.copy(P as Float32Array, r0 * K, nr);
      for (let r = 0; r < nr; r++) {
        const yi = y[r0 + r]!;
        sums[yi]! += block[r * K + yi]!;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      sums[yi]! += P[i * K + yi]!;
    }
  }
  const t = new Float64Array(K);
  for (let k = 0; k < K; k++) t[k] = Math.max(counts[k]! > 0 ? sums[k]! / counts[k]! : 2, 2e-6);
  return t;
}
