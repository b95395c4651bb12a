import type { Float32Matrix } from "@assay/core";
import { invalidInput } from "./errors.js";

export type { Float32Matrix };

/**
 * Create a rows×cols matrix. Without `data` it is zero-filled; a `Float32Array` of the right length is
 * used as-is (no copy); any other array-like is copied into a new `Float32Array`.
 *
 * @throws AssayError `INVALID_INPUT` when the sizes are not non-negative integers or `data` has the wrong length.
 */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Float32Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw invalidInput("matrix", `rows and cols must be non-negative integers, got ${rows}×${cols}`);
  }
  if (data === undefined) return { rows, cols, data: new Float32Array(rows * cols) };
  if (data.length !== rows * cols) {
    throw invalidInput("matrix", `data has ${data.length} values, expected ${rows}×${cols} = ${rows * cols}`);
  }
  return { rows, cols, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

/**
 * Build a matrix from row arrays (copied). All rows must have the same length.
 *
 * @throws AssayError `INVALID_INPUT` on ragged rows.
 */
export function fromRows(rows: readonly ArrayLike<number>[]): Float32Matrix {
  const n = rows.length;
  const d = n === 0 ? 0 : rows[0]!.length;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.length !== d) throw invalidInput("fromRows", `row ${i} has ${r.length} values, row 0 has ${d}`, { row: i });
    for (let j = 0; j < d; j++) data[i * d + j] = r[j]!;
  }
  return { rows: n, cols: d, data };
}

/** Row `i` as a `Float32Array` view sharing memory with the matrix (writes go through). */
export function getRow(m: Float32Matrix, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.rows) throw invalidInput("getRow", `row ${i} is out of range [0, ${m.rows})`);
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/**
 * Throw unless `m` is a well-formed matrix (`data.length === rows·cols`) and, when `nonEmpty`, has at
 * least one row and one column. `name` is used in the message.
 */
export function assertMatrix(m: Float32Matrix | { readonly rows: number; readonly cols: number; readonly data: Float64Array }, name: string, fn: string, nonEmpty = true, allowFloat64 = false): void {
  const typed = m !== null && typeof m === "object" && (m.data instanceof Float32Array || (allowFloat64 && m.data instanceof Float64Array));
  if (!typed || !Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0) {
    throw invalidInput(fn, `${name} must be a ${allowFloat64 ? "Float32Matrix or Float64Matrix" : "Float32Matrix"} { rows, cols, data: ${allowFloat64 ? "Float32Array | Float64Array" : "Float32Array"} }`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw invalidInput(fn, `${name} has ${m.data.length} values, expected ${m.rows}×${m.cols} = ${m.rows * m.cols}`);
  }
  if (nonEmpty && (m.rows === 0 || m.cols === 0)) {
    throw invalidInput(fn, `${name} is empty (${m.rows}×${m.cols})`);
  }
}

/**
 * Throw `INVALID_INPUT` naming the first NaN or ±Infinity by row and column.
 *
 * @param name - what the matrix is called in the message (e.g. `"embeddings"`).
 */
export function assertFinite(m: Float32Matrix, name = "matrix"): void {
  const { data, cols } = m;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is 0 for finite numbers and NaN for NaN/±Infinity.
    if (v - v !== 0) {
      const row = cols === 0 ? 0 : Math.floor(i / cols);
      const col = cols === 0 ? 0 : i - row * cols;
      throw invalidInput("assertFinite", `${name} has a non-finite value (${v}) at row ${row}, column ${col}`, { row, column: col, value: String(v) });
    }
  }
}

/** Column means (float64 accumulation). */
export function columnMeans(m: Float32Matrix): Float64Array {
  const { rows, cols, data } = m;
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j]! += data[o + j]!;
  }
  if (rows > 0) for (let j = 0; j < cols; j++) out[j]! /= rows;
  return out;
}

/**
 * Column variances `Σ(x − mean)² / (rows − ddof)` in float64 (two-pass). NaN when `rows − ddof ≤ 0`,
 * like numpy.
 */
export function columnVariances(m: Float32Matrix, ddof = 0): Float64Array {
  const { rows, cols, data } = m;
  const mean = columnMeans(m);
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const dv = data[o + j]! - mean[j]!;
      out[j]! += dv * dv;
    }
  }
  const denom = rows - ddof;
  for (let j = 0; j < cols; j++) out[j] = denom > 0 ? out[j]! / denom : Number.NaN;
  return out;
}

/** Euclidean norm of every row, float64. */
export function rowNorms(m: Float32Matrix): Float64Array {
  const { rows, cols, data } = m;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = i * cols, e = j + cols; j < e; j++) s += data[j]! * data[j]!;
    out[i] = Math.sqrt(s);
  }
  return out;
}

/**
 * A new matrix whose rows have unit Euclidean norm (computed in float64). All-zero rows stay zero,
 * as in scikit-learn's `normalize`.
 */
export function l2Normalize(m: Float32Matrix): Float32Matrix {
  const { rows, cols, data } = m;
  const norms = rowNorms(m);
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) {
    const nrm = norms[i]!;
    const inv = nrm > 0 ? 1 / nrm : 0;
    for (let j = i * cols, e = j + cols; j < e; j++) out[j] = data[j]! * inv;
  }
  return { rows, cols, data: out };
}

/**
 * A new matrix with every column centred to mean 0 and scaled to unit population std (ddof 0), like
 * scikit-learn's `StandardScaler`. Constant columns are centred and left unscaled (they become 0).
 */
export function standardize(m: Float32Matrix): Float32Matrix {
  const { rows, cols, data } = m;
  const mean = columnMeans(m);
  const variance = columnVariances(m, 0);
  const scale = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const s = Math.sqrt(variance[j]!);
    scale[j] = s > 0 && Number.isFinite(s) ? 1 / s : 1;
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[o + j] = (data[o + j]! - mean[j]!) * scale[j]!;
  }
  return { rows, cols, data: out };
}

/** A new matrix holding the listed rows in the given order (indices may repeat). */
export function selectRows(m: Float32Matrix, indices: ArrayLike<number>): Float32Matrix {
  const { rows, cols, data } = m;
  const out = new Float32Array(indices.length * cols);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    if (!Number.isInteger(i) || i < 0 || i >= rows) throw invalidInput("selectRows", `index ${i} (position ${r}) is out of range [0, ${rows})`);
    out.set(data.subarray(i * cols, (i + 1) * cols), r * cols);
  }
  return { rows: indices.length, cols, data: out };
}

/** The transpose as a new matrix. */
export function transpose(m: Float32Matrix): Float32Matrix {
  const { rows, cols, data } = m;
  const out = new Float32Array(data.length);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * rows + i] = data[i * cols + j]!;
    }
  }
  return { rows: cols, cols: rows, data: out };
}

const BLOCK = 64;

/**
 * Matrix product `a · b` (a: n×k, b: k×m) with float64 accumulation, cache-blocked, returned as float32.
 *
 * @throws AssayError `INVALID_INPUT` when `a.cols !== b.rows`.
 */
export function matmul(a: Float32Matrix, b: Float32Matrix): Float32Matrix {
  assertMatrix(a, "a", "matmul", false);
  assertMatrix(b, "b", "matmul", false);
  if (a.cols !== b.rows) throw invalidInput("matmul", `dimension mismatch: a is ${a.rows}×${a.cols}, b is ${b.rows}×${b.cols}`);
  const n = a.rows;
  const k = a.cols;
  const m = b.cols;
  const A = a.data;
  const Bd = b.data;
  const out = new Float32Array(n * m);
  const acc = new Float64Array(BLOCK * m);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    acc.fill(0);
    for (let p0 = 0; p0 < k; p0 += BLOCK) {
      const p1 = Math.min(k, p0 + BLOCK);
      for (let i = i0; i < i1; i++) {
        const ao = i * k;
        const co = (i - i0) * m;
        for (let p = p0; p < p1; p++) {
          const av = A[ao + p]!;
          if (av === 0) continue;
          const bo = p * m;
          for (let j = 0; j < m; j++) acc[co + j]! += av * Bd[bo + j]!;
        }
      }
    }
    for (let i = i0; i < i1; i++) {
      const co = (i - i0) * m;
      for (let j = 0; j < m; j++) out[i * m + j] = acc[co + j]!;
    }
  }
  return { rows: n, cols: m, data: out };
}

/**
 * `a · bᵀ` (a: n×d, b: m×d → n×m): all row-by-row dot products, float64 accumulation, tiled so both
 * operands stay in cache.
 *
 * @throws AssayError `INVALID_INPUT` when `a.cols !== b.cols`.
 */
export function matmulTransposeB(a: Float32Matrix, b: Float32Matrix): Float32Matrix {
  assertMatrix(a, "a", "matmulTransposeB", false);
  assertMatrix(b, "b", "matmulTransposeB", false);
  if (a.cols !== b.cols) throw invalidInput("matmulTransposeB", `dimension mismatch: a is ${a.rows}×${a.cols}, b is ${b.rows}×${b.cols}`);
  const n = a.rows;
  const m = b.rows;
  const d = a.cols;
  const A = a.data;
  const Bd = b.data;
  const out = new Float32Array(n * m);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    for (let j0 = 0; j0 < m; j0 += BLOCK) {
      const j1 = Math.min(m, j0 + BLOCK);
      for (let i = i0; i < i1; i++) {
        const ao = i * d;
        let j = j0;
        for (; j + 1 < j1; j += 2) {
          const b0 = j * d;
          const b1 = b0 + d;
          let s0 = 0;
          let s1 = 0;
          for (let p = 0; p < d; p++) {
            const av = A[ao + p]!;
            s0 += av * Bd[b0 + p]!;
            s1 += av * Bd[b1 + p]!;
          }
          out[i * m + j] = s0;
          out[i * m + j + 1] = s1;
        }
        if (j < j1) {
          const b0 = j * d;
          let s0 = 0;
          for (let p = 0; p < d; p++) s0 += A[ao + p]! * Bd[b0 + p]!;
          out[i * m + j] = s0;
        }
      }
    }
  }
  return { rows: n, cols: m, data: out };
}

/**
 * Distance between row a (offset ao) and row b (offset bo) of d columns in float64: euclidean L2, or
 * cosine 1 − a·b/(na·nb) clamped to [0, 2] given the rows' L2 norms (1 when either is zero).
 * @internal
 */
export function pairDistance(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number, cosine: boolean, na: number, nb: number): number {
  if (cosine) {
    if (na === 0 || nb === 0) return 1;
    let dot = 0;
    for (let p = 0; p < d; p++) dot += a[ao + p]! * b[bo + p]!;
    const c = 1 - dot / (na * nb);
    return c < 0 ? 0 : c > 2 ? 2 : c;
  }
  let s = 0;
  for (let p = 0; p < d; p++) {
    const t = a[ao + p]! - b[bo + p]!;
    s += t * t;
  }
  return Math.sqrt(s);
}

/** A float64 copy of `a` on a SharedArrayBuffer (worker threads read it without another copy). @internal */
export function shareFloat64(a: Float32Array | Float64Array): Float64Array {
  const s = new Float64Array(new SharedArrayBuffer(a.length * 8));
  s.set(a);
  return s;
}
