import type { Float32Matrix } from "@assay/core";
import { checkInt, checkPositive, invalidInput } from "./errors.js";
import { minimizeLbfgs } from "./lbfgs.js";
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
  const present = Int32Array.from(new Set(y)).sort();
  if (present.length < 2) throw invalidInput(fn, `needs at least two classes, y has ${present.length === 0 ? "none" : `only class ${present[0]}`}`);
  return fitPrepared(toFloat64(X), X.rows, X.cols, y, present, C, maxIter, tol, opts.classes ?? present.length, opts.classes !== undefined);
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
): LogisticModel {
  const K = present.length;
  const classIndex = new Map<number, number>();
  present.forEach((c, i) => classIndex.set(c, i));
  const yc = new Int32Array(n);
  for (let i = 0; i < n; i++) yc[i] = classIndex.get(y[i]!)!;
  const invC = 1 / C;
  let rows: number;
  let result;
  if (K === 2) {
    rows = 1;
    const fg = (w: Float64Array, g: Float64Array): number => {
      g.fill(0);
      let loss = 0;
      const b = w[d]!;
      for (let i = 0; i < n; i++) {
        const o = i * d;
        let z = b;
        for (let j = 0; j < d; j++) z += Xd[o + j]! * w[j]!;
        const t = yc[i]!;
        // log(1 + e^z) − t·z, stably
        loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
        const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        const r = p - t;
        for (let j = 0; j < d; j++) g[j]! += r * Xd[o + j]!;
        g[d]! += r;
      }
      let pen = 0;
      for (let j = 0; j < d; j++) {
        pen += w[j]! * w[j]!;
        g[j]! += invC * w[j]!;
      }
      return loss + 0.5 * invC * pen;
    };
    result = minimizeLbfgs(fg, new Float64Array(d + 1), { maxIter, gtol: tol });
  } else {
    rows = K;
    const nW = K * d;
    const z = new Float64Array(K);
    const fg = (w: Float64Array, g: Float64Array): number => {
      g.fill(0);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const o = i * d;
        let zmax = -Infinity;
        for (let c = 0; c < K; c++) {
          let s = w[nW + c]!;
          const wo = c * d;
          for (let j = 0; j < d; j++) s += Xd[o + j]! * w[wo + j]!;
          z[c] = s;
          if (s > zmax) zmax = s;
        }
        let se = 0;
        for (let c = 0; c < K; c++) {
          const e = Math.exp(z[c]! - zmax);
          z[c] = e;
          se += e;
        }
        const t = yc[i]!;
        // z now holds exp(z − zmax); loss = log Σ e^z − z_t
        loss += Math.log(se) - Math.log(z[t]!);
        const inv = 1 / se;
        for (let c = 0; c < K; c++) {
          const r = z[c]! * inv - (c === t ? 1 : 0);
          if (r === 0) continue;
          const wo = c * d;
          for (let j = 0; j < d; j++) g[wo + j]! += r * Xd[o + j]!;
          g[nW + c]! += r;
        }
      }
      let pen = 0;
      for (let j = 0; j < nW; j++) {
        pen += w[j]! * w[j]!;
        g[j]! += invC * w[j]!;
      }
      return loss + 0.5 * invC * pen;
    };
    result = minimizeLbfgs(fg, new Float64Array(nW + K), { maxIter, gtol: tol });
  }
  const w = result.x;
  const coef: Float64Matrix = { rows, cols: d, data: w.slice(0, rows * d) };
  const intercept = w.slice(rows * d, rows * d + rows);
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
      const col = (c: number): number => (byLabel ? present[c]! : c);
      const zz = new Float64Array(K);
      for (let i = 0; i < Xq.rows; i++) {
        const o = i * d;
        if (K === 2) {
          let s = intercept[0]!;
          for (let j = 0; j < d; j++) s += Xq.data[o + j]! * coef.data[j]!;
          const p = s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
          out[i * numColumns + col(0)] = 1 - p;
          out[i * numColumns + col(1)] = p;
          continue;
        }
        let zmax = -Infinity;
        for (let c = 0; c < K; c++) {
          let s = intercept[c]!;
          for (let j = 0; j < d; j++) s += Xq.data[o + j]! * coef.data[c * d + j]!;
          zz[c] = s;
          if (s > zmax) zmax = s;
        }
        let se = 0;
        for (let c = 0; c < K; c++) {
          zz[c] = Math.exp(zz[c]! - zmax);
          se += zz[c]!;
        }
        for (let c = 0; c < K; c++) out[i * numColumns + col(c)] = zz[c]! / se;
      }
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
  const fn = "crossValPredictProba";
  const folds = opts.folds ?? 5;
  const seed = opts.seed ?? 0;
  const C = opts.C ?? 1;
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-4;
  checkInt(fn, "folds", folds, 2);
  checkInt(fn, "seed", seed, 0, 0xffffffff);
  checkPositive(fn, "C", C);
  checkInt(fn, "maxIter", maxIter, 1);
  if (opts.numClasses !== undefined) checkInt(fn, "numClasses", opts.numClasses, 1);
  validateXY(fn, X, y, opts.numClasses);
  let maxLabel = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > maxLabel) maxLabel = y[i]!;
  const K = opts.numClasses ?? maxLabel + 1;
  const n = X.rows;
  const d = X.cols;
  const assignment = stratifiedKFold(y, folds, seed);
  const Xd = toFloat64(X);
  const out = new Float32Array(n * K);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (assignment[i] === f ? test : train).push(i);
    if (test.length === 0) continue;
    const Xt = new Float64Array(train.length * d);
    const yt = new Int32Array(train.length);
    train.forEach((i, r) => {
      Xt.set(Xd.subarray(i * d, (i + 1) * d), r * d);
      yt[r] = y[i]!;
    });
    const present = Int32Array.from(new Set(yt)).sort();
    const Xtest: Float32Matrix = { rows: test.length, cols: d, data: new Float32Array(test.length * d) };
    test.forEach((i, r) => Xtest.data.set(X.data.subarray(i * d, (i + 1) * d), r * d));
    if (present.length === 1) {
      for (const i of test) out[i * K + present[0]!] = 1;
      continue;
    }
    const model = fitPrepared(Xt, train.length, d, yt, present, C, maxIter, tol, K, true);
    const p = model.predictProba(Xtest);
    test.forEach((i, r) => out.set(p.data.subarray(r * K, (r + 1) * K), i * K));
  }
  return { rows: n, cols: K, data: out };
}
