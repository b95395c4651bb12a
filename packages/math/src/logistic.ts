import type { Float32Matrix } from "@assay/core";
import { availableParallelism } from "node:os";
import { cancelled, checkInt, checkPositive, invalidInput, invalidOption } from "./errors.js";
import { runPool } from "./pool.js";
import { cvFolds, fitLogisticCore, lbfgsRun, logisticObjective, logisticObjectiveWasm, predictLogisticCore, vecDot, vecMaxAbs, type CvContext } from "./fit-kernel.js";
import { gemmWasmIfSupported } from "./gemm-wasm.js";
import { assertFinite, assertMatrix } from "./matrix.js";
import { Mt19937 } from "./rng.js";

/** A dense row-major float64 matrix (for model parameters). */
export interface Float64Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Options of {@link fitLogisticRegression}. */
export interface LogisticOptions {
  /** Inverse L2 strength (default 1): minimises `Σ logloss + ‖W‖² / (2C)`, intercepts unpenalised. */
  C?: number;
  /** L-BFGS iterations (default 100, like scikit-learn). */
  maxIter?: number;
  /** Stop when max |gradient| ≤ tol (default 1e-4, like scikit-learn). */
  tol?: number;
  /**
   * Total number of classes K (labels 0..K−1). {@link LogisticModel.predictProba} then returns K
   * columns, 0 for classes absent from `y`. Default: one column per distinct label in `y`.
   */
  classes?: number;
  /**
   * Per-sample weights (length n, finite, ≥ 0, not all 0): each sample's log-loss is multiplied by
   * its weight, as scikit-learn's `fit(X, y, sample_weight)`; the penalty is not. Default: all 1.
   * Zero-weight samples still count when determining which classes are present.
   */
  sampleWeight?: ArrayLike<number>;
}

/** A fitted logistic-regression model. */
export interface LogisticModel {
  /**
   * Weights: one row per fitted class (multinomial), or a single row for two classes (binary
   * logistic on the higher label, as scikit-learn does).
   */
  readonly coef: Float64Matrix;
  /** Intercepts, one per row of `coef`. */
  readonly intercept: Float64Array;
  /** The labels present in the training data, ascending. */
  readonly classes: Int32Array;
  /** Number of probability columns: the `classes` option, or `classes.length`. */
  readonly numColumns: number;
  /** L-BFGS iterations used and whether the gradient tolerance was reached. */
  readonly iterations: number;
  readonly converged: boolean;
  /** Class probabilities, rows × numColumns (float32). */
  predictProba(X: Float32Matrix): Float32Matrix;
}

function validateXY(fn: string, X: Float32Matrix, y: Int32Array, numClasses: number | undefined): void {
  assertMatrix(X, "X", fn);
  assertFinite(X, "X");
  if (!(y instanceof Int32Array)) throw invalidInput(fn, "y must be an Int32Array of class labels");
  if (y.length !== X.rows) throw invalidInput(fn, `dimension mismatch: X has ${X.rows} rows, y has ${y.length} labels`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v < 0 || (numClasses !== undefined && v >= numClasses)) {
      throw invalidInput(fn, `label ${v} of sample ${i} is outside [0, ${numClasses === undefined ? "∞" : numClasses})`, { sample: i });
    }
  }
}

function toFloat64(X: Float32Matrix): Float64Array {
  return Float64Array.from(X.data);
}

/**
 * Multinomial logistic regression with an L2 penalty, fitted by L-BFGS from zero — scikit-learn's
 * `LogisticRegression(C, solver="lbfgs")` objective and stopping rule (two classes: the binary
 * model, as scikit-learn's default `multi_class="auto"` does). Probabilities agree with scikit-learn
 * to about 1e-3 or better when both converge.
 *
 * @throws AssayError `INVALID_INPUT` for empty/non-finite X, a label count mismatch, a negative or
 * out-of-range label, or fewer than two distinct classes; `INVALID_OPTION` for bad C/maxIter/tol.
 */
export function fitLogisticRegression(X: Float32Matrix, y: Int32Array, opts: LogisticOptions = {}): LogisticModel {
  const fn = "fitLogisticRegression";
  const C = opts.C ?? 1;
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-4;
  checkPositive(fn, "C", C);
  checkInt(fn, "maxIter", maxIter, 1);
  checkPositive(fn, "tol", tol, 0, true);
  if (opts.classes !== undefined) checkInt(fn, "classes", opts.classes, 1);
  validateXY(fn, X, y, opts.classes);
  const sw = opts.sampleWeight === undefined ? null : checkSampleWeight(fn, opts.sampleWeight, X.rows);
  const present = Int32Array.from(new Set(y)).sort();
  if (present.length < 2) throw invalidInput(fn, `needs at least two classes, y has ${present.length === 0 ? "none" : `only class ${present[0]}`}`);
  return fitPrepared(toFloat64(X), X.rows, X.cols, y, present, C, maxIter, tol, opts.classes ?? present.length, opts.classes !== undefined, sw);
}

function checkSampleWeight(fn: string, w: ArrayLike<number>, n: number): Float64Array {
  if (w === null || typeof w !== "object" || typeof w.length !== "number") throw invalidOption(fn, "sampleWeight", "must be an array of numbers");
  if (w.length !== n) throw invalidInput(fn, `dimension mismatch: X has ${n} rows, sampleWeight has ${w.length} entries`);
  const out = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = w[i]!;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw invalidInput(fn, `sampleWeight of sample ${i} must be a finite number ≥ 0, got ${String(v)}`, { sample: i });
    out[i] = v;
    total += v;
  }
  if (!(total > 0)) throw invalidInput(fn, "sampleWeight is 0 for every sample");
  return out;
}

function fitPrepared(
  Xd: Float64Array,
  n: number,
  d: number,
  y: Int32Array,
  present: Int32Array,
  C: number,
  maxIter: number,
  tol: number,
  numColumns: number,
  byLabel: boolean,
  sw: Float64Array | null,
): LogisticModel {
  const K = present.length;
  const classIndex = new Map<number, number>();
  present.forEach((c, i) => classIndex.set(c, i));
  const yc = new Int32Array(n);
  for (let i = 0; i < n; i++) yc[i] = classIndex.get(y[i]!)!;
  const result = fitLogisticCore(Xd, n, d, yc, K, C, maxIter, tol, sw, gemmWasmIfSupported(true));
  const rows = K === 2 ? 1 : K;
  const w = result.x;
  const coef: Float64Matrix = { rows, cols: d, data: w.slice(0, rows * d) };
  const intercept = w.slice(rows * d, rows * d + rows);
  const colMap = byLabel ? present : Int32Array.from({ length: K }, (_, c) => c);
  return {
    coef,
    intercept,
    classes: present,
    numColumns,
    iterations: result.iterations,
    converged: result.converged,
    predictProba(Xq: Float32Matrix): Float32Matrix {
      assertMatrix(Xq, "X", "LogisticModel.predictProba", false);
      if (Xq.cols !== d) throw invalidInput("LogisticModel.predictProba", `dimension mismatch: the model has ${d} features, X has ${Xq.cols} columns`);
      const out = new Float32Array(Xq.rows * numColumns);
      predictLogisticCore(w, K, d, Xq.data, null, Xq.rows, out, numColumns, colMap);
      return { rows: Xq.rows, cols: numColumns, data: out };
    },
  };
}

/**
 * Test-fold assignment of scikit-learn's `StratifiedKFold(n_splits=folds, shuffle=true,
 * random_state=seed)`, reproduced draw for draw with numpy's MT19937: classes are taken in order of
 * first appearance, each class's fold labels are dealt round-robin over the sorted labels and then
 * shuffled with one shared `RandomState(seed)`.
 *
 * @returns fold index of every sample.
 * @throws AssayError `INVALID_INPUT` when every class has fewer than `folds` members or folds > n.
 */
export function stratifiedKFold(y: ArrayLike<number>, folds = 5, seed = 0): Int32Array {
  const fn = "stratifiedKFold";
  checkInt(fn, "folds", folds, 2);
  const n = y.length;
  if (folds > n) throw invalidInput(fn, `cannot split ${n} samples into ${folds} folds`);
  // Encode classes by order of first appearance.
  const code = new Map<number, number>();
  const enc = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    let c = code.get(v);
    if (c === undefined) {
      c = code.size;
      code.set(v, c);
    }
    enc[i] = c;
  }
  const nc = code.size;
  const counts = new Int32Array(nc);
  for (let i = 0; i < n; i++) counts[enc[i]!]!++;
  let allSmall = true;
  for (let c = 0; c < nc; c++) if (counts[c]! >= folds) allSmall = false;
  if (allSmall) throw invalidInput(fn, `folds = ${folds} is greater than the number of members in each class`);
  const rng = new Mt19937(seed);
  const out = new Int32Array(n);
  let start = 0;
  for (let c = 0; c < nc; c++) {
    const cnt = counts[c]!;
    // allocation[f] = #{t in [start, start + cnt) : t mod folds = f}
    const foldsForClass = new Int32Array(cnt);
    let pos = 0;
    for (let f = 0; f < folds; f++) {
      const first = start + ((f - (start % folds) + folds) % folds);
      const a = first >= start + cnt ? 0 : Math.floor((start + cnt - 1 - first) / folds) + 1;
      for (let t = 0; t < a; t++) foldsForClass[pos++] = f;
    }
    rng.shuffle(foldsForClass);
    let t = 0;
    for (let i = 0; i < n; i++) if (enc[i] === c) out[i] = foldsForClass[t++]!;
    start += cnt;
  }
  return out;
}

/** Options of {@link crossValPredictProba}. */
export interface CrossValOptions {
  /** Stratified folds (default 5). */
  folds?: number;
  /** Fold shuffling seed (default 0); folds equal scikit-learn's `StratifiedKFold(folds, shuffle=True, random_state=seed)`. */
  seed?: number;
  /** Inverse L2 strength (default 1). */
  C?: number;
  /** Probability columns (labels 0..numClasses−1). Default max(y) + 1. */
  numClasses?: number;
  /** L-BFGS iterations per fold (default 100). */
  maxIter?: number;
  /** Gradient tolerance (default 1e-4). */
  tol?: number;
}

/**
 * Out-of-sample predicted probabilities (n × numClasses) from stratified k-fold cross-validation of
 * {@link fitLogisticRegression}: every row is predicted by the model trained on the other folds.
 * Classes absent from a training fold get probability 0 in that fold; a training fold with a single
 * class predicts that class with probability 1.
 *
 * @throws AssayError `INVALID_INPUT` on bad X/y (see {@link fitLogisticRegression}) or unsplittable labels.
 */
export function crossValPredictProba(X: Float32Matrix, y: Int32Array, opts: CrossValOptions = {}): Float32Matrix {
  const ctx = prepareCv("crossValPredictProba", X, y, opts, false);
  cvFolds(ctx, 0, ctx.folds);
  return { rows: ctx.n, cols: ctx.numClasses, data: ctx.out };
}

/** Options of {@link crossValPredictProbaParallel}. */
export interface ParallelCrossValOptions extends CrossValOptions {
  /** Worker threads, one fold at a time each (default: number of cores, at most `folds`). `0` runs in the calling thread. */
  workers?: number;
  /** Abort; the promise rejects with an AssayError `CANCELLED`. */
  signal?: AbortSignal;
  /** Called with (folds done, folds) as folds complete. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * {@link crossValPredictProba} with the folds fitted in parallel on worker threads. Same result,
 * bit for bit (each fold runs the same code on the same inputs).
 */
export async function crossValPredictProbaParallel(X: Float32Matrix, y: Int32Array, opts: ParallelCrossValOptions = {}): Promise<Float32Matrix> {
  const fn = "crossValPredictProbaParallel";
  if (opts.workers !== undefined) checkInt(fn, "workers", opts.workers, 0, 256);
  const workers = opts.workers ?? Math.max(1, availableParallelism());
  const ctx = prepareCv(fn, X, y, opts, workers > 0);
  if (workers === 0) {
    for (let f = 0; f < ctx.folds; f++) {
      if (opts.signal?.aborted) throw cancelled(fn, opts.signal.reason);
      cvFolds(ctx, f, f + 1);
      opts.onProgress?.(f + 1, ctx.folds);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } else {
    await runPool({
      fn,
      fns: [vecMaxAbs, vecDot, lbfgsRun, logisticObjectiveWasm, logisticObjective, fitLogisticCore, predictLogisticCore, cvFolds],
      entry: cvFolds,
      ctx,
      total: ctx.folds,
      chunk: 1,
      workers,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
  }
  return { rows: ctx.n, cols: ctx.numClasses, data: ctx.shared ? new Float32Array(ctx.out) : ctx.out };
}

function prepareCv(fn: string, X: Float32Matrix, y: Int32Array, opts: CrossValOptions, shared: boolean): CvContext & { folds: number; shared: boolean } {
  const folds = opts.folds ?? 5;
  const seed = opts.seed ?? 0;
  const C = opts.C ?? 1;
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-4;
  checkInt(fn, "folds", folds, 2);
  checkInt(fn, "seed", seed, 0, 0xffffffff);
  checkPositive(fn, "C", C);
  checkInt(fn, "maxIter", maxIter, 1);
  checkPositive(fn, "tol", tol, 0, true);
  if (opts.numClasses !== undefined) checkInt(fn, "numClasses", opts.numClasses, 1);
  validateXY(fn, X, y, opts.numClasses);
  let maxLabel = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > maxLabel) maxLabel = y[i]!;
  const K = opts.numClasses ?? maxLabel + 1;
  const n = X.rows;
  const assignment = stratifiedKFold(y, folds, seed);
  const buffer = (bytes: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const Xd = new Float64Array(buffer(X.data.length * 8));
  Xd.set(X.data);
  const ys = new Int32Array(buffer(n * 4));
  ys.set(y);
  const as = new Int32Array(buffer(n * 4));
  as.set(assignment);
  const out = new Float32Array(buffer(n * K * 4));
  return { Xd, n, d: X.cols, y: ys, assignment: as, numClasses: K, C, maxIter, tol, out, folds, shared, wasm: gemmWasmIfSupported(true) };
}
