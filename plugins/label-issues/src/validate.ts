import { invalidInput } from "./errors.js";
import { scanRange } from "./kernels.js";
import type { LabelsInput, ProbMatrix } from "./types.js";

/** Inputs after validation: labels as Int32Array, the raw probability data, sizes and class counts. */
export interface Checked {
  readonly y: Int32Array;
  readonly P: Float32Array | Float64Array;
  readonly n: number;
  readonly K: number;
  /** Whether the probabilities are float32 (comparisons then follow numpy's float32 arithmetic). */
  readonly f32: boolean;
  /** Examples per given class, length K. */
  readonly counts: Float64Array;
}

/** Validate a probability matrix's shape and value range ([−1e-6, 1+1e-6], no NaN). */
export function checkProbMatrix(predProbs: ProbMatrix, name = "pred_probs", checkRange = true): void {
  if (!predProbs || typeof predProbs !== "object" || !("data" in predProbs)) {
    throw invalidInput(`${name} must be a matrix {rows, cols, data}`, { name });
  }
  const { rows, cols, data } = predProbs;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw invalidInput(`${name}.data must be a Float32Array or Float64Array`, { name });
  }
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw invalidInput(`${name} must be a 2-D matrix with at least one row and one column (got ${rows}×${cols})`, { rows, cols });
  }
  if (data.length !== rows * cols) {
    throw invalidInput(`${name} has ${data.length} values but its shape ${rows}×${cols} needs ${rows * cols}`, {
      rows,
      cols,
      length: data.length,
    });
  }
  if (!checkRange) return;
  scanRange(data, cols, 0, name);
}

/** Convert and validate single-label labels (integers ≥ 0, one per row, no lists). */
export function checkLabels(labels: LabelsInput, n: number, K: number | undefined, name = "labels"): Int32Array {
  if (labels === null || labels === undefined || typeof (labels as ArrayLike<number>).length !== "number") {
    throw invalidInput(`${name} must be an array of class indices`, {});
  }
  const len = (labels as ArrayLike<number>).length;
  if (len !== n) {
    throw invalidInput(`${name} has ${len} entries but pred_probs has ${n} rows`, { labels: len, rows: n });
  }
  if (labels instanceof Int32Array) {
    const hi = K ?? Infinity;
    for (let i = 0; i < n; i++) {
      const v = labels[i]!;
      if (v < 0 || v >= hi) checkOne(v, i, K, name);
    }
    return labels;
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = (labels as ArrayLike<unknown>)[i];
    if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      throw invalidInput(
        `${name}[${i}] is a list of classes: these look like multi-label labels; use the multi-label functions (findMultiLabelIssues, getMultiLabelQualityScores) instead`,
        { row: i },
      );
    }
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw invalidInput(`${name}[${i}] is ${JSON.stringify(v)}; labels must be integer class indices`, { row: i });
    }
    checkOne(v, i, K, name);
    y[i] = v;
  }
  return y;
}

function checkOne(v: number, i: number, K: number | undefined, name: string): void {
  if (v < 0) throw invalidInput(`${name}[${i}] is ${v}; labels must be non-negative class indices`, { row: i, label: v });
  if (K !== undefined && v >= K) {
    throw invalidInput(`${name}[${i}] is ${v} but pred_probs has only ${K} columns (needs at least ${v + 1})`, {
      row: i,
      label: v,
      columns: K,
    });
  }
}

/** Options of {@link checkInputs}. */
export interface CheckOptions {
  /** Allow data with a single distinct class (`"zeros"`: only when every label is 0). Default false. */
  allowOneClass?: boolean | "zeros";
  /** Skip the value-range scan (already done by the caller). */
  skipRange?: boolean;
}

/** Validate labels and pred_probs together (cleanlab's `assert_valid_inputs`). */
export function checkInputs(labels: LabelsInput, predProbs: ProbMatrix, options: CheckOptions = {}): Checked {
  checkProbMatrix(predProbs, "pred_probs", !options.skipRange);
  const n = predProbs.rows;
  const K = predProbs.cols;
  const y = checkLabels(labels, n, K);
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[y[i]!]!++;
  let distinct = 0;
  for (let k = 0; k < K; k++) if (counts[k]! > 0) distinct++;
  if (distinct < 2) {
    const allow = options.allowOneClass ?? false;
    const ok = allow === true || (allow === "zeros" && counts[0] === n);
    if (!ok) {
      throw invalidInput(`Labels must contain at least 2 classes (found ${distinct} distinct class${distinct === 1 ? "" : "es"})`, {
        distinct,
      });
    }
  }
  return { y, P: predProbs.data, n, K, f32: predProbs.data instanceof Float32Array, counts };
}
