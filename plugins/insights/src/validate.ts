import type { ProbMatrix } from "@assay/label-issues";
import { invalidInput } from "./errors.js";

/** A flat row-major probability matrix (core's `Float32Matrix` fits). */
export type { ProbMatrix };

/** Check that `P` is a rows×cols matrix of finite numbers. Returns K (its columns). */
export function checkMatrix(P: ProbMatrix, name = "predProbs"): number {
  if (!P || typeof P !== "object" || !Number.isInteger(P.rows) || !Number.isInteger(P.cols) || !P.data) {
    throw invalidInput(`${name} must be { rows, cols, data } (a flat row-major matrix)`);
  }
  if (P.data.length !== P.rows * P.cols) {
    throw invalidInput(`${name} has ${P.data.length} values; ${P.rows}×${P.cols} needs ${P.rows * P.cols}`, { rows: P.rows, cols: P.cols });
  }
  if (P.cols < 2) throw invalidInput(`${name} has ${P.cols} column(s); at least 2 classes are needed`, { cols: P.cols });
  for (let i = 0; i < P.data.length; i++) {
    if (!Number.isFinite(P.data[i]!)) {
      const r = Math.floor(i / P.cols);
      throw invalidInput(`${name}[${r}][${i - r * P.cols}] is ${P.data[i]}; probabilities must be finite`, { row: r, col: i - r * P.cols });
    }
  }
  return P.cols;
}

/** True when `labels` looks like multi-label input (a list of lists). */
export function isMultiLabel(labels: unknown): labels is readonly (readonly number[])[] {
  return Array.isArray(labels) && labels.length > 0 && labels.some((row) => Array.isArray(row));
}

/** Check single labels: integers in [0, K). Returns them as an Int32Array. */
export function checkLabels(labels: ArrayLike<number>, K: number, n?: number): Int32Array {
  if (isMultiLabel(labels)) {
    throw invalidInput("labels is a list of lists (multi-label); use the multi-label functions (multilabel.*, dataset-insights §7)");
  }
  if (n !== undefined && labels.length !== n) {
    throw invalidInput(`labels has ${labels.length} entries but predProbs has ${n} rows`, { labels: labels.length, rows: n });
  }
  const y = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= K) {
      throw invalidInput(`labels[${i}] is ${JSON.stringify(v)}; expected a class index in 0…${K - 1}`, { row: i });
    }
    y[i] = v;
  }
  return y;
}

/** Check that class names, when given, name exactly K classes. */
export function checkClassNames(classNames: readonly string[] | undefined, K: number): void {
  if (classNames === undefined) return;
  if (!Array.isArray(classNames) || classNames.length !== K) {
    throw invalidInput(`classNames has ${Array.isArray(classNames) ? classNames.length : "no"} entries but there are ${K} classes; give exactly one name per class`, {
      classNames: Array.isArray(classNames) ? classNames.length : null,
      K,
    });
  }
}

/** A K×K matrix given as rows (`number[][]`) or flat row-major; returns it flat. */
export function flatSquare(m: ArrayLike<number> | readonly (readonly number[])[], name: string): { data: Float64Array; K: number } {
  let data: Float64Array;
  if (Array.isArray(m) && m.length > 0 && Array.isArray(m[0])) {
    const rows = m as readonly (readonly number[])[];
    const K = rows.length;
    data = new Float64Array(K * K);
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== K) throw invalidInput(`${name}[${i}] has ${Array.isArray(row) ? row.length : 0} values; ${name} must be ${K}×${K}`, { row: i });
      for (let j = 0; j < K; j++) data[i * K + j] = row[j]!;
    });
  } else {
    const flat = m as ArrayLike<number>;
    data = new Float64Array(flat.length);
    for (let i = 0; i < flat.length; i++) data[i] = flat[i]!;
  }
  const K = Math.round(Math.sqrt(data.length));
  if (K * K !== data.length || K < 1) throw invalidInput(`${name} has ${data.length} values; expected a K×K matrix`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!) || data[i]! < 0) throw invalidInput(`${name} entry ${i} is ${data[i]}; entries must be finite and ≥ 0`, { entry: i });
  }
  return { data, K };
}

/** A flat K×K matrix as rows. */
export function toRows(m: ArrayLike<number>, K: number): number[][] {
  return Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => m[i * K + j]!));
}
